"""`ppl fmt`: one canonical layout for program files (ruamel.yaml round trip; the checker's loader is untouched)."""

from __future__ import annotations

from policy_lang.fmt.key_order import KEY_ORDER as KEY_ORDER
from policy_lang.fmt.key_order import order_keys as order_keys
from policy_lang.fmt.layout import Formatted as Formatted
from policy_lang.fmt.layout import format_document as format_document
from policy_lang.fmt.layout import format_file as format_file
from policy_lang.fmt.layout import format_text as format_text
