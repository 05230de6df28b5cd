"""``narrascope train roles``: retrain the entity role classifier.

With no options it reproduces the shipped model
(``src/narrascope/resources/models/roles``) from ``data/roles`` with seed 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def register(train_app: typer.Typer) -> None:
    @train_app.command("roles")
    def roles(
        output: Annotated[Path, typer.Option("-o", "--output", help="Directory for the model.")],
        data: Annotated[Path | None, typer.Option(
            "--data", help="Directory of *.jsonl role records (default: data/roles).")] = None,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the held-out split and heads.")] = 0,
        semeval_dir: Annotated[Path | None, typer.Option(
            "--semeval-dir", help="Official SemEval-2025 Task 10 data (raw-documents/ and "
            "subtask-1-annotations.txt) to train on instead of the synthetic corpus.")] = None,
        c: Annotated[float, typer.Option("--C", help="Inverse L2 strength of the heads.")] = 0.25,
        span: Annotated[bool, typer.Option(
            "--span/--no-span", help="Also train the span network (adapters on the encoder's "
            "top layers; a few minutes on a laptop) and average it with the linear heads.")
        ] = True,
        encoder: Annotated[str | None, typer.Option(
            "--encoder", help="Train the heads for this encoder ('fast', a sentence-"
            "transformers or model2vec folder, an .onnx file, a /v1 URL); default: the "
            "packaged MiniLM.")] = None,
        narrative_profile: Annotated[Path | None, typer.Option(
            "--narrative-profile", help="Narratives model folder whose head gives the "
            "narrative-profile features (copied into the role model); default: the shipped "
            "role model's own frozen copy. Pass src/narrascope/resources/models/narratives "
            "to follow the current narratives model.")] = None,
    ) -> None:
        """Train the entity framing-role classifier (main role + 22 fine roles)."""
        from narrascope.components.encoder import record_encoder, use_encoder_for_training
        from narrascope.train.entities.training import train_and_evaluate

        use_encoder_for_training(encoder)

        try:
            report = train_and_evaluate(data_dir=data, out_dir=output, seed=seed,
                                        semeval_dir=semeval_dir, C=c, span=span,
                                        profile_dir=narrative_profile)
        except (FileNotFoundError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(json.dumps(report, indent=1))
        record_encoder(output, f"narrascope train roles --encoder {encoder}" if encoder else None)
        typer.echo(f"model written to {output}", err=True)
