"""``narrascope train techniques``: reproduce the shipped technique classifier."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from narrascope.train.techniques.training import DEFAULT_SEED


def register(train_app: typer.Typer) -> None:
    @train_app.command("techniques")
    def train_techniques(
        output: Annotated[Path, typer.Option(
            "-o", "--output", help="Directory for head.npz/head.json.")],
        data: Annotated[Path | None, typer.Option(
            "--data", help="Folder of *.jsonl synthetic records (default: data/techniques).")
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="Split and CV seed.")] = DEFAULT_SEED,
    ) -> None:
        """Train the sentence-level persuasion-technique head on the synthetic corpus.

        Example: narrascope train techniques -o /tmp/tech --seed 13
        """
        from narrascope.train.techniques.training import train

        report = train(data, seed, output)
        typer.echo(f"held-out ({report['heldout_size']} sentences, templates never trained "
                   f"on): micro P={report['micro_precision']:.3f} "
                   f"R={report['micro_recall']:.3f} F1={report['micro_f1']:.3f}; "
                   f"neutral flagged {report['negatives_flagged']}/{report['negatives']}")
        comp = report["component_default"]["patterns_and_model"]
        typer.echo(f"component (patterns + model, threshold_scale "
                   f"{report['component_default']['threshold_scale']}): "
                   f"micro P={comp['micro_precision']:.3f} R={comp['micro_recall']:.3f} "
                   f"F1={comp['micro_f1']:.3f}; neutral flagged "
                   f"{comp['negatives_flagged']}/{comp['negatives']}")
        typer.echo(f"saved to {output}")
