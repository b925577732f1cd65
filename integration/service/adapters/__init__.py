"""Persistence adapters: ORM mapping, engine factory, repositories."""
