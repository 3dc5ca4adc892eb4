"""Pure builders: domain dataclasses in, Block Kit dicts out."""
