"""The Typer application objects shared by the command modules."""

from __future__ import annotations

import os

import typer

# model loaders must not draw their own progress bars or advice on the user's terminal
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(
    name="narrascope",
    help="Show which propaganda narratives news articles push, how they frame entities, "
    "which persuasion techniques they use and which dated claims are wrong - every finding "
    "with exact character offsets.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(
    help="Train the models of the components (each component adds its command).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(train_app, name="train")

