"""CLI commands of the narratives component.

* ``narrascope train narratives [--data DIR] [--taxonomy FILE] [--seed N] -o MODEL_DIR``
* ``narrascope narratives validate|compose|stats|predict`` (via ``register_extra``)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

DEFAULT_DATA = Path("data/narratives")

DataOpt = Annotated[Path, typer.Option("--data", help="Folder with passages/*.jsonl.")]
TaxOpt = Annotated[Optional[Path], typer.Option("--taxonomy", help="Taxonomy file (YAML/JSON).")]  # noqa: UP045
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (composition and training).")]


def register(train_app: typer.Typer) -> None:
    @train_app.command("narratives")
    def train_narratives(
        output: Annotated[Path, typer.Option("-o", "--output", help="Model directory to write.")],
        data: DataOpt = DEFAULT_DATA,
        taxonomy: TaxOpt = None,
        seed: SeedOpt = 0,
        semeval_dir: Annotated[Optional[Path], typer.Option(  # noqa: UP045
            "--semeval-dir", help="Official SemEval-2025 Task 10 folder (raw-documents/ + "
            "subtask-2-annotations.txt) to add real articles; never shipped.")] = None,
        head: Annotated[str, typer.Option("--head", help="mlp or linear.")] = "mlp",
        pooling: Annotated[str, typer.Option(
            "--pooling", help="learned (stage-2 logistic), max, top2, noisy_or.")] = "learned",
        seeds_dir: Annotated[Optional[Path], typer.Option(  # noqa: UP045
            "--seeds-dir", help="Folder with *.txt + labels-st2.tsv to report on.")] = None,
        zero_shot: Annotated[bool, typer.Option(
            "--zero-shot/--no-zero-shot", help="Also tune and save the zero-shot baseline.")] = True,
        gate: Annotated[bool, typer.Option(
            "--gate/--no-gate", help="Fit the article-level gate on DATA/gate/.")] = True,
        calibrate_on: Annotated[Optional[Path], typer.Option(  # noqa: UP045
            "--calibrate-on", help="Folder of real labelled articles (articles/*.txt + "
            "subtask2.tsv) to choose the gate threshold, voice weights and confidence "
            "calibration on; only numbers are saved.")] = None,
        encoder: Annotated[Optional[str], typer.Option(  # noqa: UP045
            "--encoder", help="Train the heads for this encoder ('fast', a sentence-"
            "transformers or model2vec folder, an .onnx file, a /v1 URL); default: the "
            "packaged MiniLM.")] = None,
    ) -> None:
        """Train the narratives model (reproducible with a fixed seed) and save it."""
        from narrascope.components.encoder import record_encoder, use_encoder_for_training
        from narrascope.train.narratives.training import train

        use_encoder_for_training(encoder)

        report = train(data, output, taxonomy=taxonomy, seed=seed, head=head, pooling=pooling,
                       semeval_dir=semeval_dir, seeds_dir=seeds_dir, zero_shot=zero_shot,
                       gate=gate, calibrate_dir=calibrate_on,
                       log=lambda s: typer.echo(s, err=True))
        short = {k: {m: v[m] for m in ("coarse_f1", "fine_f1")}
                 for k, v in report.items() if isinstance(v, dict) and "fine_f1" in v}
        typer.echo(json.dumps(short, indent=1))
        record_encoder(output, f"narrascope train narratives --encoder {encoder}"
                       if encoder else None)
        typer.echo(f"model written to {output}", err=True)


def register_extra(app: typer.Typer) -> None:
    group = typer.Typer(help="Narratives data and evaluation tools.", no_args_is_help=True)
    app.add_typer(group, name="narratives")

    @group.command("validate")
    def validate(data: DataOpt = DEFAULT_DATA, taxonomy: TaxOpt = None) -> None:
        """Check passages: labels in the taxonomy, unique ids, fields, sizes."""
        from narrascope.components.narratives.data import read_passages, validate_passages
        from narrascope.components.narratives.taxonomy import load_taxonomy

        tax = load_taxonomy(taxonomy)
        pdir = data / "passages" if (data / "passages").is_dir() else data
        passages, errors = read_passages(pdir)
        problems = errors + validate_passages(passages, tax)
        for p in problems:
            typer.echo(p)
        typer.echo(f"{len(passages)} passages, {len(problems)} problem(s)", err=True)
        raise typer.Exit(1 if problems else 0)

    @group.command("compose")
    def compose(data: DataOpt = DEFAULT_DATA, taxonomy: TaxOpt = None, seed: SeedOpt = 0) -> None:
        """Write the composed synthetic articles to DATA/articles-{train,dev,test}.jsonl."""
        from narrascope.components.narratives.scripts import compose_files

        for path, n in compose_files(data, taxonomy, seed):
            typer.echo(f"{path}: {n} articles")

    @group.command("stats")
    def stats(data: DataOpt = DEFAULT_DATA, taxonomy: TaxOpt = None) -> None:
        """Label counts of the passages and composed articles (markdown, for the datasheet)."""
        from narrascope.components.narratives.scripts import stats_markdown

        typer.echo(stats_markdown(data, taxonomy))

    @group.command("calibrate")
    def calibrate(
        model_dir: Annotated[Path, typer.Argument(help="Trained model directory.")],
        calibrate_on: Annotated[Optional[Path], typer.Option(  # noqa: UP045
            "--on", help="Folder of real labelled articles (articles/*.txt + subtask2.tsv).")] = None,
        output: Annotated[Optional[Path], typer.Option(  # noqa: UP045
            "-o", "--output", help="Write here (default: update MODEL_DIR).")] = None,
        data: DataOpt = DEFAULT_DATA,
        seed: SeedOpt = 0,
    ) -> None:
        """Fit the article gate and the real-article choices onto a trained model."""
        from narrascope.train.narratives.training import calibrate_model

        rep = calibrate_model(model_dir, data, calibrate_on, output, seed=seed,
                              log=lambda s: typer.echo(s, err=True))
        typer.echo(json.dumps({k: v for k, v in rep.items()}, indent=1, default=str))

    @group.command("predict")
    def predict(
        paths: Annotated[list[Path], typer.Argument(help="*.txt files or folders.")],
        output: Annotated[Optional[Path], typer.Option("-o", "--output")] = None,  # noqa: UP045
        model: Annotated[str, typer.Option("--model", help="default, zero-shot or a dir")] = "default",
        taxonomy: TaxOpt = None,
    ) -> None:
        """Write SemEval subtask-2 predictions (id TAB narratives TAB subnarratives)."""
        from narrascope.components.narratives.evaluate import predict_st2, read_txt_articles

        lines = predict_st2(read_txt_articles(paths), output, model=model,
                            taxonomy=str(taxonomy) if taxonomy else None)
        if output is None:
            typer.echo("\n".join(lines))
