"""A mention-aware second opinion for the role model: the encoder's top layers, adapted.

The linear role heads (:mod:`.model`) read *frozen* sentence-encoder embeddings of a
mention's left and right views.  Those are sentence embeddings: they know what a
sentence is about, not well who in it does what to whom.  This module adds a small
network that reads the mention's *contextual token vectors* instead:

1. the mention's sentence, after the sentence before it (``span_context`` in
   model.json), is run through all-MiniLM-L6-v2 (the shared, hash-checked encoder); the
   bottom :data:`FROZEN` layers are used as shipped;
2. the top layers are the shipped weights plus low-rank adapters (LoRA, rank
   :data:`RANK`) on every linear map, trained by this project (``narrascope train
   roles``) on the synthetic role corpus;
3. the hidden states of the mention's own word pieces are mean-pooled (the *span
   vector*) next to the mean over the whole sentence, and joined with the small
   article-level blocks of the role features (the side one-hot and the narrative
   profile times the sides, :mod:`.features`);
4. one linear layer gives the main role (with ``none``) and the fine roles.

Only the adapters and that last layer are shipped (``span_net.npz``, well under 1 MB);
the encoder weights come from the pinned package.  The role model averages this
network's probabilities with its linear heads' (``span_weight`` in model.json).

One encoder pass per context that holds mentions (all its mentions pool from the same
pass).  Training is deterministic for a seed on a given machine (torch on CPU).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

#: bottom layers used as shipped; the ones above get adapters
FROZEN = 4
N_LAYERS = 6
RANK = 8
ALPHA = 16.0
HEADS = 12
DIM = 384
MAX_TOKENS = 128
#: feature blocks of :mod:`.features` the network reads next to the span vector
SMALL_BLOCKS = ["side", "narr", "side_x_narr", "cc_side_x_narr", "civilian_x_narr"]
FILE = "span_net.npz"
VERSION = 1
#: bump when the ONNX export of the span encoder changes (cached exports are rebuilt)
ONNX_RECIPE = 1


def small_columns() -> np.ndarray:
    from narrascope.components.entities.features import BLOCKS, block_widths

    widths = block_widths()
    start = dict(zip(BLOCKS, np.cumsum([0, *widths.values()])[:-1].tolist(), strict=True))
    return np.array([c for b in SMALL_BLOCKS for c in range(start[b], start[b] + widths[b])])


@lru_cache(maxsize=1)
def _base():  # type: ignore[no-untyped-def]
    """(tokenizer, BERT model) of the shared, hash-checked encoder (the very same
    weights the sentence vectors come from; loaded once per process, offline)."""
    from narrascope.components.encoder import get_encoder

    st = get_encoder()
    model = st[0].auto_model
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return st.tokenizer, model


# ----------------------------------------------------------------------- tokens
def tokenize(sentences: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
             ) -> tuple[list[list[int]], list[list[tuple[int, int]]]]:
    """Word-piece ids of each sentence (with [CLS]/[SEP], at most :data:`MAX_TOKENS`,
    cut around the first span when longer) and, per span (char offsets in the
    sentence), its token range [a, b) in those ids (never empty)."""
    from narrascope.components.encoder import wordpiece_tokenizer

    # the encoder's own tokenizer.json through ``tokenizers`` (what the transformers
    # tokenizer wraps: the same ids and offsets), so inference needs no torch model
    tok = wordpiece_tokenizer()
    enc = tok.encode_batch(list(sentences), add_special_tokens=False)
    ids_out, ranges_out = [], []
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    room = MAX_TOKENS - 2
    for item, sp in zip(enc, spans, strict=True):
        ids, offs = item.ids, item.offsets
        toks = []
        for s, e in sp:
            a = next((i for i, (_, oe) in enumerate(offs) if oe > s), len(offs))
            b = next((i for i, (os_, _) in enumerate(offs) if os_ >= e), len(offs))
            toks.append((a, max(b, a + 1)))
        lo = 0
        if len(ids) > room:
            first = min((a for a, _ in toks), default=0)
            lo = max(0, min(first - room // 3, len(ids) - room))
        hi = lo + room
        ids_out.append([cls, *ids[lo:hi], sep])
        ranges_out.append([(min(max(a - lo, 0), room - 1) + 1,
                            min(max(b - lo, a - lo + 1, 1), room) + 1) for a, b in toks])
    return ids_out, ranges_out


def _pad(batch: Sequence[Sequence[int]], bucket: int = 1) -> tuple[np.ndarray, np.ndarray]:
    n = -(-max(len(x) for x in batch) // bucket) * bucket
    ids = np.zeros((len(batch), n), dtype=np.int64)
    mask = np.zeros((len(batch), n), dtype=np.int64)
    for i, x in enumerate(batch):
        ids[i, :len(x)] = x
        mask[i, :len(x)] = 1
    return ids, mask


@lru_cache(maxsize=1)
def _bottom():  # type: ignore[no-untyped-def]
    """The encoder's embeddings and bottom :data:`FROZEN` layers as a model of their own
    (the same modules, shared with :func:`_base`: no copy of the weights); its last
    hidden state is ``hidden_states[FROZEN]`` of the whole encoder."""
    import copy

    from torch import nn
    from transformers import BertModel

    _, model = _base()
    cfg = copy.deepcopy(model.config)
    cfg.num_hidden_layers = FROZEN
    small = BertModel(cfg, add_pooling_layer=False)
    small.embeddings = model.embeddings
    small.encoder.layer = nn.ModuleList(list(model.encoder.layer[:FROZEN]))
    small.eval()
    return small


def bottom_states(ids: Sequence[Sequence[int]], batch_size: int = 64) -> list[np.ndarray]:
    """Hidden states after the frozen bottom layers, one (tokens x 384) array per text.
    Only those layers run; batches are length-sorted and padded to multiples of the
    encoder's padding bucket (few shapes, bounded kernel caches)."""
    import torch

    from narrascope.components.encoder import PAD_BUCKET

    model = _bottom()
    out: list[np.ndarray] = [np.zeros(0)] * len(ids)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    with torch.inference_mode():
        for k in range(0, len(order), batch_size):
            idx = order[k:k + batch_size]
            a, m = _pad([ids[i] for i in idx], PAD_BUCKET)
            hs = model(input_ids=torch.from_numpy(a),
                       attention_mask=torch.from_numpy(m)).last_hidden_state
            for j, i in enumerate(idx):
                out[i] = hs[j, :len(ids[i])].numpy().astype(np.float32)
    return out


# ------------------------------------------------------------------------ network
def _nets():  # type: ignore[no-untyped-def]
    """The torch modules (defined lazily: torch is imported only when this runs)."""
    import torch
    from torch import nn

    class LoRALinear(nn.Module):
        def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
            super().__init__()
            self.weight = nn.Parameter(base.weight.detach().clone(), requires_grad=False)
            self.bias = nn.Parameter(base.bias.detach().clone(), requires_grad=False)
            self.A = nn.Parameter(torch.zeros(rank, base.in_features))
            self.B = nn.Parameter(torch.zeros(base.out_features, rank))
            self.scale = alpha / rank
            self.merged: torch.Tensor | None = None

        def merge(self) -> None:
            """Fold the adapter into one weight (inference: one matrix product)."""
            with torch.no_grad():
                self.merged = self.weight + (self.B @ self.A) * self.scale

        def forward(self, x):  # type: ignore[no-untyped-def]
            if self.merged is not None and not self.training:
                return nn.functional.linear(x, self.merged, self.bias)
            return (nn.functional.linear(x, self.weight, self.bias)
                    + (x @ self.A.T @ self.B.T) * self.scale)

    class Layer(nn.Module):
        """One BERT layer (post-LayerNorm) with adapters on its six linear maps."""

        def __init__(self, hf, rank: int, alpha: float) -> None:  # type: ignore[no-untyped-def]
            super().__init__()
            att = hf.attention
            self.q = LoRALinear(att.self.query, rank, alpha)
            self.k = LoRALinear(att.self.key, rank, alpha)
            self.v = LoRALinear(att.self.value, rank, alpha)
            self.o = LoRALinear(att.output.dense, rank, alpha)
            self.ln1 = att.output.LayerNorm
            self.up = LoRALinear(hf.intermediate.dense, rank, alpha)
            self.down = LoRALinear(hf.output.dense, rank, alpha)
            self.ln2 = hf.output.LayerNorm
            for p in [*self.ln1.parameters(), *self.ln2.parameters()]:
                p.requires_grad_(False)

        def forward(self, h, mask):  # type: ignore[no-untyped-def]
            b, n, d = h.shape
            hd = d // HEADS

            def split(x):  # type: ignore[no-untyped-def]
                return x.view(b, n, HEADS, hd).transpose(1, 2)

            att = (split(self.q(h)) @ split(self.k(h)).transpose(-1, -2)) / math.sqrt(hd)
            att = att.masked_fill(mask[:, None, None, :] == 0, -1e4).softmax(-1)
            ctx = (att @ split(self.v(h))).transpose(1, 2).reshape(b, n, d)
            h = self.ln1(self.o(ctx) + h)
            return self.ln2(self.down(nn.functional.gelu(self.up(h))) + h)

    class SpanNet(nn.Module):
        def __init__(self, n_small: int, n_out: int, rank: int = RANK,
                     alpha: float = ALPHA, dropout: float = 0.1) -> None:
            super().__init__()
            _, model = _base()
            self.layers = nn.ModuleList([Layer(model.encoder.layer[i], rank, alpha)
                                         for i in range(FROZEN, N_LAYERS)])
            self.drop = nn.Dropout(dropout)
            self.out = nn.Linear(2 * DIM + n_small, n_out)

        def merge(self) -> None:
            for layer in self.layers:
                for mod in (layer.q, layer.k, layer.v, layer.o, layer.up, layer.down):
                    mod.merge()

        def top(self, h, mask):  # type: ignore[no-untyped-def]
            for layer in self.layers:
                h = layer(h, mask)
            return h

        def forward(self, h, mask, span_mask, small):  # type: ignore[no-untyped-def]
            """``h``: bottom states (B x N x 384); ``span_mask``: (M x N) token weights of
            each mention, its row ``row`` of the batch given by ``small[:, 0]``."""
            h = self.top(h, mask)
            rows = small[:, 0].long()
            m = mask.float()
            sent = (h * m[..., None]).sum(1) / m.sum(1, keepdim=True)
            hs = h[rows]
            span = (hs * span_mask[..., None]).sum(1) / span_mask.sum(1, keepdim=True)
            z = torch.cat([span, sent[rows], small[:, 1:]], dim=1)
            return self.out(self.drop(z))

    return SpanNet


def adapter_names(net) -> list[str]:  # type: ignore[no-untyped-def]
    return [n for n, p in net.named_parameters() if p.requires_grad]


# ----------------------------------------------------------------------- the model
class SpanRoleNet:
    """Adapters + output layer, with the labels they predict (fit / predict_proba)."""

    def __init__(self, main_labels: list[str], fine_labels: list[str], epochs: int = 4,
                 lr: float = 1e-3, batch_size: int = 16, seed: int = 0,
                 rank: int = RANK, weight_decay: float = 0.01) -> None:
        self.main_labels = list(main_labels)
        self.fine_labels = list(fine_labels)
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.seed = seed
        self.rank = rank
        self.weight_decay = weight_decay
        self._net = None
        # a loaded model's trained parameters (adapter_names order); the torch network
        # (which needs the whole torch encoder) is built from them only when used: with
        # its ONNX export in the cache, inference loads no torch model at all
        self._arrays: dict[str, np.ndarray] | None = None
        self._n_small = 0
        self._onnx = None  # (session, output weight, output bias) once exported / loaded

    @property
    def net(self):  # type: ignore[no-untyped-def]
        if self._net is None and self._arrays is not None:
            self._net = self._build(self._arrays, self._n_small)
        return self._net

    @net.setter
    def net(self, value) -> None:  # type: ignore[no-untyped-def]
        self._net = value
        self._arrays = None

    def _params(self) -> dict[str, np.ndarray]:
        """The trained parameters by name, in :func:`adapter_names` order."""
        if self._net is None and self._arrays is not None:
            return self._arrays
        assert self.net is not None
        state = dict(self.net.named_parameters())
        return {n: state[n].detach().numpy().astype(np.float32)
                for n in adapter_names(self.net)}

    def _build(self, arrays: dict[str, np.ndarray], n_small: int):  # type: ignore[no-untyped-def]
        import torch

        net = _nets()(n_small, len(self.main_labels) + len(self.fine_labels), rank=self.rank)
        state = dict(net.named_parameters())
        if list(arrays) != adapter_names(net):
            raise ValueError("the stored parameters do not match the span network; "
                             "retrain the role model")
        with torch.no_grad():
            for k, v in arrays.items():
                state[k].copy_(torch.from_numpy(v))
        net.eval()
        net.merge()
        return net

    # inputs: one sentence per mention group ------------------------------------
    @staticmethod
    def prepare(sentences: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
                ) -> tuple[list[list[int]], list[list[tuple[int, int]]], list[np.ndarray]]:
        ids, ranges = tokenize(sentences, spans)
        return ids, ranges, bottom_states(ids)

    def _batch(self, states, ranges, small, sent_idx):  # type: ignore[no-untyped-def]
        import torch

        uniq = list(dict.fromkeys(int(s) for s in sent_idx))
        pos = {s: i for i, s in enumerate(uniq)}
        n = max(len(states[s]) for s in uniq)
        h = np.zeros((len(uniq), n, DIM), dtype=np.float32)
        mask = np.zeros((len(uniq), n), dtype=np.float32)
        for i, s in enumerate(uniq):
            h[i, :len(states[s])] = states[s]
            mask[i, :len(states[s])] = 1
        sm = np.zeros((len(sent_idx), n), dtype=np.float32)
        for j, (a, b) in enumerate(ranges):
            sm[j, a:b] = 1
        rows = np.array([pos[int(s)] for s in sent_idx], dtype=np.float32)[:, None]
        x = np.hstack([rows, small]).astype(np.float32)
        return (torch.from_numpy(h), torch.from_numpy(mask), torch.from_numpy(sm),
                torch.from_numpy(x))

    def fit(self, states: Sequence[np.ndarray], sent_idx: np.ndarray,
            ranges: Sequence[tuple[int, int]], small: np.ndarray, Ym: np.ndarray,
            Yf: np.ndarray, weights: np.ndarray) -> SpanRoleNet:
        """``states``: bottom states per sentence; per mention: its sentence index, its
        token range, its small features, main one-hot, fine multi-hot, weight."""
        import torch

        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        n_main = Ym.shape[1]
        self.net = net = _nets()(small.shape[1], n_main + Yf.shape[1], rank=self.rank)
        params = [p for p in net.parameters() if p.requires_grad]
        for layer in net.layers:  # A random, B zero: training starts at the shipped encoder
            for mod in (layer.q, layer.k, layer.v, layer.o, layer.up, layer.down):
                torch.nn.init.normal_(mod.A, std=1.0 / math.sqrt(mod.A.shape[1]))
        opt = torch.optim.AdamW(params, lr=self.lr, weight_decay=self.weight_decay)
        counts = (Ym * weights[:, None]).sum(0)
        cw = torch.tensor(counts.sum() / (len(counts) * np.maximum(counts, 1)),
                          dtype=torch.float32)
        steps = self.epochs * math.ceil(len(sent_idx) / self.batch_size)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.lr, total_steps=steps,
                                                    pct_start=0.1)
        ym = torch.from_numpy(Ym.argmax(1))
        yf = torch.from_numpy(Yf.astype(np.float32))
        w = torch.from_numpy(weights.astype(np.float32))
        roled = torch.from_numpy(Yf.sum(1) > 0).float()
        net.train()
        for _ in range(self.epochs):
            order = rng.permutation(len(sent_idx))
            for k in range(0, len(order), self.batch_size):
                idx = order[k:k + self.batch_size]
                h, mask, sm, x = self._batch(states, [ranges[i] for i in idx], small[idx],
                                             sent_idx[idx])
                z = net(h, mask, sm, x)
                lm = torch.nn.functional.cross_entropy(z[:, :n_main], ym[idx], weight=cw,
                                                       reduction="none")
                lf = torch.nn.functional.binary_cross_entropy_with_logits(
                    z[:, n_main:], yf[idx], reduction="none").sum(1) * roled[idx]
                loss = ((lm + 0.5 * lf) * w[idx]).sum() / w[idx].sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        net.eval()
        net.merge()
        self._onnx = None
        return self

    def predict_proba(self, states: Sequence[np.ndarray], sent_idx: np.ndarray,
                      ranges: Sequence[tuple[int, int]], small: np.ndarray,
                      batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """(main probabilities, fine probabilities) per mention."""
        import torch

        if self.net is None:
            raise RuntimeError("SpanRoleNet is not fitted")
        n_main = len(self.main_labels)
        pm = np.zeros((len(sent_idx), n_main), dtype=np.float32)
        pf = np.zeros((len(sent_idx), len(self.fine_labels)), dtype=np.float32)
        with torch.no_grad():
            for k in range(0, len(sent_idx), batch_size):
                idx = np.arange(k, min(k + batch_size, len(sent_idx)))
                h, mask, sm, x = self._batch(states, [ranges[i] for i in idx], small[idx],
                                             sent_idx[idx])
                z = self.net(h, mask, sm, x)
                pm[idx] = z[:, :n_main].softmax(-1).numpy()
                pf[idx] = torch.sigmoid(z[:, n_main:]).numpy()
        return pm, pf

    # ------------------------------------------------------- ONNX Runtime inference
    def digest(self) -> str:
        """SHA-256 of the trained parameters (keys the ONNX export of this network)."""
        h = hashlib.sha256(f"v{VERSION}-f{FROZEN}-r{ONNX_RECIPE}".encode())
        for n, v in self._params().items():
            h.update(n.encode())
            h.update(np.ascontiguousarray(v, dtype=np.float32).tobytes())
        return h.hexdigest()

    def _export(self, path: Path) -> None:
        """Export the encoder's bottom layers and this network's adapted top layers
        (adapters folded in) as one ONNX graph: word-piece ids -> top token states."""
        import os
        import warnings

        import torch

        assert self.net is not None
        bottom, net = _bottom(), self.net

        class Full(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bottom = bottom
                self.net = net

            def forward(self, input_ids, attention_mask):  # type: ignore[no-untyped-def]
                h = self.bottom(input_ids=input_ids,
                                attention_mask=attention_mask).last_hidden_state
                return self.net.top(h, attention_mask.float())

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + f".{os.getpid()}.tmp.onnx")
        x = torch.ones(2, 16, dtype=torch.long)
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(Full().eval(), (x, x), str(tmp),
                              input_names=["input_ids", "attention_mask"],
                              output_names=["hidden"], opset_version=17, dynamo=False,
                              dynamic_axes={k: {0: "batch", 1: "tokens"} for k in
                                            ("input_ids", "attention_mask", "hidden")})
        from narrascope.components.encoder import file_sha256

        digest = file_sha256(tmp)
        os.replace(tmp, path)
        path.with_suffix(".json").write_text(json.dumps({"sha256": digest,
                                                         "net": self.digest()}, indent=1))

    def onnx_session(self):  # type: ignore[no-untyped-def]
        """The ONNX Runtime session of the whole span encoder (exported into the cache
        folder at first use, checked by its SHA-256 on load), or ``None`` when ONNX
        Runtime is not installed or ``NARRASCOPE_SPAN_BACKEND=torch``."""
        import os

        if os.environ.get("NARRASCOPE_SPAN_BACKEND", "onnx") == "torch":
            return None
        if self._onnx is not None:
            return self._onnx[0]
        try:
            import onnxruntime as ort
        except ImportError:
            return None
        from narrascope.components.encoder import (
            _env_spec,
            _lock,
            file_sha256,
            onnx_dir,
            ort_session_options,
        )

        path = onnx_dir() / f"roles-span-{self.digest()[:16]}.onnx"
        meta = path.with_suffix(".json")
        with _lock:
            ok = (path.exists() and meta.exists()
                  and json.loads(meta.read_text()).get("sha256") == file_sha256(path))
            if not ok:
                self._export(path)
        # the encoder's thread setting from the environment (a Ray worker sets 1)
        so = ort_session_options(_env_spec()[2])
        session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        params = self._params()
        self._onnx = (session, np.asarray(params["out.weight"], np.float32),
                      np.asarray(params["out.bias"], np.float32))
        return session

    def predict_tokens(self, ids: Sequence[Sequence[int]], sent_idx: np.ndarray,
                       ranges: Sequence[tuple[int, int]], small: np.ndarray,
                       batch_size: int = 32) -> tuple[np.ndarray, np.ndarray] | None:
        """(main, fine) probabilities per mention from word-piece ids (one list per
        context; per mention its context index and token range), all layers on ONNX
        Runtime in length-sorted batches; ``None`` without ONNX Runtime."""
        from narrascope.components.encoder import PAD_BUCKET

        session = self.onnx_session()
        if session is None or self._onnx is None:
            return None
        _, w, b = self._onnx
        span = np.zeros((len(sent_idx), DIM), dtype=np.float32)
        sent = np.zeros((len(ids), DIM), dtype=np.float32)
        by_ctx: dict[int, list[int]] = {}
        for j, c in enumerate(sent_idx):
            by_ctx.setdefault(int(c), []).append(j)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for k in range(0, len(order), batch_size):
            idx = order[k:k + batch_size]
            a, m = _pad([ids[i] for i in idx], PAD_BUCKET)
            hs = session.run(None, {"input_ids": a, "attention_mask": m})[0]
            for r, i in enumerate(idx):
                h = hs[r, :len(ids[i])]
                sent[i] = h.mean(axis=0)
                for j in by_ctx.get(i, []):
                    lo, hi = ranges[j]
                    span[j] = h[lo:hi].mean(axis=0)
        z = np.hstack([span, sent[np.asarray(sent_idx, dtype=np.int64)],
                       small.astype(np.float32)]) @ w.T + b
        n_main = len(self.main_labels)
        zm = z[:, :n_main] - z[:, :n_main].max(axis=1, keepdims=True)
        pm = np.exp(zm)
        pm /= pm.sum(axis=1, keepdims=True)
        pf = 1.0 / (1.0 + np.exp(-z[:, n_main:]))
        return pm.astype(np.float32), pf.astype(np.float32)

    # ------------------------------------------------------------------ persistence
    def save(self, directory: str | Path) -> str:
        """Write the trained parameters to ``span_net.npz``; returns its SHA-256."""
        assert self.net is not None
        names = adapter_names(self.net)
        state = dict(self.net.named_parameters())
        arrays = {n: state[n].detach().numpy().astype(np.float32) for n in names}
        meta = {"version": VERSION, "frozen": FROZEN, "rank": self.rank,
                "main_labels": self.main_labels, "fine_labels": self.fine_labels,
                "small_blocks": SMALL_BLOCKS, "n_small": int(state["out.weight"].shape[1]
                                                            - 2 * DIM)}
        path = Path(directory) / FILE
        np.savez(path, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                 **arrays)
        return hashlib.sha256(path.read_bytes()).hexdigest()

    @classmethod
    def load(cls, directory: str | Path, expected_sha256: str | None = None) -> SpanRoleNet:
        path = Path(directory) / FILE
        if expected_sha256:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != expected_sha256:
                raise ValueError(f"{path} has SHA-256 {digest}, model.json records "
                                 f"{expected_sha256}: the role model files do not belong "
                                 "together; retrain with `narrascope train roles`")
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["__meta__"]).decode())
            arrays = {k: z[k] for k in z.files if k != "__meta__"}
        if meta.get("version") != VERSION or meta.get("frozen") != FROZEN:
            raise ValueError(f"{path}: span network version {meta.get('version')}, this "
                             f"narrascope reads version {VERSION}; retrain the role model")
        self = cls(meta["main_labels"], meta["fine_labels"], rank=int(meta["rank"]))
        if "out.weight" not in arrays or "out.bias" not in arrays:
            raise ValueError(f"{path}: parameters do not match the span network")
        # the torch network is built when first needed (training, the torch backend, a
        # first ONNX export), from these arrays, in the order they were saved
        self._arrays, self._n_small = arrays, int(meta["n_small"])
        return self


def mention_inputs(articles: Sequence, refs: Sequence[Sequence], context: int = 0
                   ) -> tuple[list[np.ndarray], np.ndarray, list[tuple[int, int]]]:
    """Network inputs for the mentions of a batch (``refs[i]``: the
    :class:`~.features.MentionRef` of article i, in order): bottom states per distinct
    context sentence, each mention's sentence index and token range."""
    ids, sent_idx, ranges = mention_tokens(articles, refs, context)
    return (bottom_states(ids) if ids else []), sent_idx, ranges


def mention_tokens(articles: Sequence, refs: Sequence[Sequence], context: int = 0
                   ) -> tuple[list[list[int]], np.ndarray, list[tuple[int, int]]]:
    """Word-piece ids per distinct context (the mention's sentence after ``context``
    sentences before it), each mention's context index and token range."""
    sentences: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    at: dict[tuple[int, int, int], int] = {}
    where: list[tuple[int, int]] = []
    for a, (art, rs) in enumerate(zip(articles, refs, strict=True)):
        for r in rs:
            lo = r.s_start
            if context and r.sentence is not None:
                lo = min(lo, art.sentences[max(0, r.sentence - context)].start)
            key = (a, lo, r.s_end)
            if key not in at:
                at[key] = len(sentences)
                sentences.append(art.text[lo:r.s_end])
                spans.append([])
            s = at[key]
            where.append((s, len(spans[s])))
            spans[s].append((r.start - lo, r.end - lo))
    if not sentences:
        return [], np.zeros(0, dtype=np.int64), []
    ids, ranges = tokenize(sentences, spans)
    return (ids, np.array([s for s, _ in where], dtype=np.int64),
            [ranges[s][k] for s, k in where])
