"""Block Kit limits, checked the way Slack checks them.

The Web API stand-in refuses a message or view that breaks one of these
limits with Slack's own error (``invalid_blocks``), so a test fails where
Slack would; tests also call the validators directly.
"""

from __future__ import annotations

from typing import Any

__all__ = ["validate_message_blocks", "validate_view"]

# --------------------------------------------------------------------------------------
# Block Kit limits (https://api.slack.com/reference/block-kit)
# --------------------------------------------------------------------------------------

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_MODAL_TITLE = 24
MAX_MODAL_BUTTON = 24
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_ID = 255
MAX_PLACEHOLDER = 150
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_INPUT_LABEL = 2000
MAX_INPUT_HINT = 2000
MAX_PRIVATE_METADATA = 3000
MAX_ALT_TEXT = 2000

_MAX_OPTIONS = {
    "static_select": 100,
    "multi_static_select": 100,
    "overflow": 5,
    "radio_buttons": 10,
    "checkboxes": 10,
}

_KNOWN_BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
        "call",
    }
)


def _text_violation(
    problems: list[str],
    where: str,
    obj: Any,
    max_len: int,
    *,
    required: bool = True,
    plain_only: bool = False,
) -> None:
    """Check a Block Kit text object."""
    if obj is None:
        if required:
            problems.append(f"{where}: text object is required")
        return
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        problems.append(f"{where}: must be a text object with a string 'text'")
        return
    ttype = obj.get("type")
    if ttype not in ("plain_text", "mrkdwn"):
        problems.append(f"{where}: text type must be plain_text or mrkdwn, got {ttype!r}")
    elif plain_only and ttype != "plain_text":
        problems.append(f"{where}: text type must be plain_text, got {ttype!r}")
    length = len(obj["text"])
    if length == 0:
        problems.append(f"{where}: text must not be empty")
    elif length > max_len:
        problems.append(f"{where}: text is {length} chars (max {max_len})")


def _id_violation(problems: list[str], where: str, key: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        problems.append(f"{where}: {key} must be a string")
    elif len(value) > MAX_ID:
        problems.append(f"{where}: {key} is {len(value)} chars (max {MAX_ID})")


def _option_violations(problems: list[str], where: str, options: Any, max_count: int) -> None:
    if not isinstance(options, list):
        problems.append(f"{where}: options must be an array")
        return
    if len(options) > max_count:
        problems.append(f"{where}: {len(options)} options (max {max_count})")
    for i, option in enumerate(options):
        ow = f"{where}.options[{i}]"
        if not isinstance(option, dict):
            problems.append(f"{ow}: option must be an object")
            continue
        _text_violation(problems, f"{ow}.text", option.get("text"), MAX_OPTION_TEXT)
        value = option.get("value")
        if isinstance(value, str) and len(value) > MAX_OPTION_VALUE:
            problems.append(f"{ow}: value is {len(value)} chars (max {MAX_OPTION_VALUE})")
        if option.get("description") is not None:
            _text_violation(
                problems, f"{ow}.description", option.get("description"), MAX_OPTION_TEXT
            )


def _element_violations(problems: list[str], where: str, element: Any) -> None:
    """Check an interactive element (button, select, input, ...)."""
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        problems.append(f"{where}: element must be an object with a 'type'")
        return
    etype = element["type"]
    _id_violation(problems, where, "action_id", element.get("action_id"))
    if etype == "button":
        _text_violation(
            problems,
            f"{where} (button).text",
            element.get("text"),
            MAX_BUTTON_TEXT,
            plain_only=True,
        )
        value = element.get("value")
        if isinstance(value, str) and len(value) > MAX_BUTTON_VALUE:
            problems.append(
                f"{where} (button): value is {len(value)} chars (max {MAX_BUTTON_VALUE})"
            )
        url = element.get("url")
        if isinstance(url, str) and len(url) > MAX_URL:
            problems.append(f"{where} (button): url is {len(url)} chars (max {MAX_URL})")
    if etype in _MAX_OPTIONS and "options" in element:
        _option_violations(problems, f"{where} ({etype})", element["options"], _MAX_OPTIONS[etype])
    if "option_groups" in element:
        groups = element["option_groups"]
        if not isinstance(groups, list) or len(groups) > 100:
            problems.append(f"{where} ({etype}): option_groups must be an array of at most 100")
        else:
            for g, group in enumerate(groups):
                gw = f"{where} ({etype}).option_groups[{g}]"
                if not isinstance(group, dict):
                    problems.append(f"{gw}: must be an object")
                    continue
                _text_violation(
                    problems, f"{gw}.label", group.get("label"), MAX_OPTION_TEXT, plain_only=True
                )
                _option_violations(problems, gw, group.get("options"), 100)
    if element.get("placeholder") is not None:
        _text_violation(
            problems,
            f"{where} ({etype}).placeholder",
            element.get("placeholder"),
            MAX_PLACEHOLDER,
            plain_only=True,
        )


def _blocks_violations(blocks: Any, where: str, max_blocks: int) -> list[str]:
    problems: list[str] = []
    if blocks is None:
        return problems
    if not isinstance(blocks, list):
        return [f"{where}: blocks must be an array, got {type(blocks).__name__}"]
    if len(blocks) > max_blocks:
        problems.append(f"{where}: {len(blocks)} blocks (max {max_blocks})")
    seen_block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"{where}.blocks[{i}]: block must be an object with a 'type'")
            continue
        btype = block["type"]
        bw = f"{where}.blocks[{i}] ({btype})"
        block_id = block.get("block_id")
        _id_violation(problems, bw, "block_id", block_id)
        if isinstance(block_id, str):
            if block_id in seen_block_ids:
                problems.append(f"{bw}: duplicate block_id {block_id!r}")
            seen_block_ids.add(block_id)
        if btype not in _KNOWN_BLOCK_TYPES:
            problems.append(f"{bw}: unknown block type")
        elif btype == "section":
            text, fields = block.get("text"), block.get("fields")
            if text is None and not fields:
                problems.append(f"{bw}: a section needs 'text' or 'fields'")
            if text is not None:
                _text_violation(problems, f"{bw}.text", text, MAX_SECTION_TEXT)
            if fields is not None:
                if not isinstance(fields, list):
                    problems.append(f"{bw}: fields must be an array")
                else:
                    if len(fields) > MAX_SECTION_FIELDS:
                        problems.append(f"{bw}: {len(fields)} fields (max {MAX_SECTION_FIELDS})")
                    for f, fld in enumerate(fields):
                        _text_violation(problems, f"{bw}.fields[{f}]", fld, MAX_FIELD_TEXT)
            if block.get("accessory") is not None:
                _element_violations(problems, f"{bw}.accessory", block["accessory"])
        elif btype == "header":
            _text_violation(
                problems, f"{bw}.text", block.get("text"), MAX_HEADER_TEXT, plain_only=True
            )
        elif btype == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                problems.append(f"{bw}: elements must be a non-empty array")
                continue
            if len(elements) > MAX_ACTIONS_ELEMENTS:
                problems.append(f"{bw}: {len(elements)} elements (max {MAX_ACTIONS_ELEMENTS})")
            seen_action_ids: set[str] = set()
            for e, element in enumerate(elements):
                _element_violations(problems, f"{bw}.elements[{e}]", element)
                action_id = element.get("action_id") if isinstance(element, dict) else None
                if isinstance(action_id, str):
                    if action_id in seen_action_ids:
                        problems.append(f"{bw}.elements[{e}]: duplicate action_id {action_id!r}")
                    seen_action_ids.add(action_id)
        elif btype == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                problems.append(f"{bw}: elements must be a non-empty array")
                continue
            if len(elements) > MAX_CONTEXT_ELEMENTS:
                problems.append(f"{bw}: {len(elements)} elements (max {MAX_CONTEXT_ELEMENTS})")
            for e, element in enumerate(elements):
                if isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
                    _text_violation(problems, f"{bw}.elements[{e}]", element, MAX_SECTION_TEXT)
                elif not (isinstance(element, dict) and element.get("type") == "image"):
                    problems.append(f"{bw}.elements[{e}]: must be a text or image element")
        elif btype == "input":
            _text_violation(
                problems, f"{bw}.label", block.get("label"), MAX_INPUT_LABEL, plain_only=True
            )
            if block.get("hint") is not None:
                _text_violation(
                    problems, f"{bw}.hint", block.get("hint"), MAX_INPUT_HINT, plain_only=True
                )
            if block.get("element") is None:
                problems.append(f"{bw}: element is required")
            else:
                _element_violations(problems, f"{bw}.element", block["element"])
        elif btype == "image":
            alt = block.get("alt_text")
            if not isinstance(alt, str) or not alt:
                problems.append(f"{bw}: alt_text is required")
            elif len(alt) > MAX_ALT_TEXT:
                problems.append(f"{bw}: alt_text is {len(alt)} chars (max {MAX_ALT_TEXT})")
            url = block.get("image_url")
            if isinstance(url, str) and len(url) > MAX_URL:
                problems.append(f"{bw}: image_url is {len(url)} chars (max {MAX_URL})")
    return problems


def validate_message_blocks(blocks: Any, *, where: str = "message") -> list[str]:
    """Block Kit violations of a message's ``blocks`` (empty list when valid)."""
    return _blocks_violations(blocks, where, MAX_MESSAGE_BLOCKS)


def validate_view(view: Any, *, where: str = "view") -> list[str]:
    """Block Kit violations of a modal or App Home view (empty list when valid)."""
    if not isinstance(view, dict):
        return [f"{where}: view must be an object"]
    problems: list[str] = []
    vtype = view.get("type")
    if vtype not in ("modal", "home"):
        problems.append(f"{where}: view type must be 'modal' or 'home', got {vtype!r}")
    problems.extend(_blocks_violations(view.get("blocks"), where, MAX_VIEW_BLOCKS))
    if vtype == "modal":
        _text_violation(
            problems, f"{where}.title", view.get("title"), MAX_MODAL_TITLE, plain_only=True
        )
        for key in ("submit", "close"):
            if view.get(key) is not None:
                _text_violation(
                    problems, f"{where}.{key}", view.get(key), MAX_MODAL_BUTTON, plain_only=True
                )
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            problems.append(f"{where}: a modal with input blocks needs a 'submit' button")
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > MAX_PRIVATE_METADATA:
        problems.append(
            f"{where}: private_metadata is {len(metadata)} chars (max {MAX_PRIVATE_METADATA})"
        )
    for key in ("callback_id", "external_id"):
        _id_violation(problems, where, key, view.get(key))
    return problems
