"""Reference case service: registration, routing, deadlines, appointments and follow-up."""
