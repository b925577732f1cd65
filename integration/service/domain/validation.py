"""Validation of untrusted input into typed values; every failure is a ValidationFailed (4xx)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from integration.service.domain.errors import ValidationFailed
from textnorm.phone import normalize_mobile
from textnorm.resident_id import is_valid_resident_id

MAX_NAME = 50
MAX_DESCRIPTION = 4000
MAX_LOCATION = 200
MAX_NOTE = 2000
MAX_AMOUNT = Decimal("1000000000000")


def text(data: dict[str, Any], key: str, *, max_len: int, required: bool = True,
         field: str | None = None) -> str | None:
    """A trimmed string field, or None when optional and absent/blank."""
    field = field or key
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationFailed("missing_field", f"缺少必填项：{field}", field=field)
        return None
    if not isinstance(value, str):
        raise ValidationFailed("invalid_type", f"{field} 必须是文字", field=field)
    value = value.strip()
    if len(value) > max_len:
        raise ValidationFailed("too_long", f"{field} 过长（最多 {max_len} 字）", field=field)
    return value


def required_text(data: dict[str, Any], key: str, *, max_len: int, field: str | None = None) -> str:
    value = text(data, key, max_len=max_len, field=field)
    assert value is not None  # required=True never returns None
    return value


def phone(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise ValidationFailed("invalid_phone", "手机号码格式不正确", field=field)
    normalized = normalize_mobile(value)
    if normalized is None:
        raise ValidationFailed("invalid_phone", "手机号码格式不正确", field=field)
    return normalized


def resident_id(value: object, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationFailed("invalid_id_number", "身份证号码不正确", field=field)
    candidate = value.strip().upper()
    if not is_valid_resident_id(candidate):
        raise ValidationFailed("invalid_id_number", "身份证号码不正确", field=field)
    return candidate


def amount_yuan(value: object, field: str = "amount_yuan") -> Decimal | None:
    """Money as a decimal: a JSON number or a numeric string, at most 2 decimals, not negative."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValidationFailed("invalid_amount", "金额必须是数字", field=field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationFailed("invalid_amount", "金额必须是数字", field=field) from exc
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationFailed("invalid_amount", "金额超出合理范围", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("invalid_amount", "金额最多保留两位小数", field=field)
    return amount.quantize(Decimal("0.01"))


def choice(value: object, allowed: dict[str, str] | tuple[str, ...], code: str, message: str,
           field: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValidationFailed(code, message, field=field)
    return value


def obj(value: object, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed("invalid_type", f"{field} 格式不正确", field=field)
    return value


def flag(data: dict[str, Any], key: str, *, default: bool) -> bool:
    """An optional JSON boolean."""
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationFailed("invalid_type", f"{key} 必须是 true 或 false", field=key)
    return value
