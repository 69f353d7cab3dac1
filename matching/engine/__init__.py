"""The matching engine: benefit-item rules evaluated over enterprise profiles.

A plain Python library (numpy, pyarrow; never Django): the web app and
background tasks call it. See docs/performance.md for the bulk design.
"""

from core.industries import industry_label, is_valid_industry, normalize_industry

from .attributes import ATTRIBUTES, Attribute
from .bulk import ItemIndex, ItemRule, MatchSet, ProfileTable, evaluate_entity, match_all, match_item, unknown_item
from .evaluate import Reason, Verdict, evaluate, normalize_profile
from .rules import RuleError, RuleInvalid, compile_rule, describe, validate
from .sizes import classify_size

__all__ = [
    "ATTRIBUTES",
    "Attribute",
    "industry_label",
    "is_valid_industry",
    "normalize_industry",
    "classify_size",
    "RuleError",
    "RuleInvalid",
    "compile_rule",
    "describe",
    "validate",
    "Reason",
    "Verdict",
    "evaluate",
    "normalize_profile",
    "ItemIndex",
    "ItemRule",
    "MatchSet",
    "ProfileTable",
    "evaluate_entity",
    "match_all",
    "match_item",
    "unknown_item",
]
