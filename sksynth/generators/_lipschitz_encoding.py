"""How :class:`LipschitzVAE` encodes its columns on their declared domains, and back.

:class:`_BoundedColumnsMixin`: a numeric column is scaled from its bounds
``[low, high]`` to ``[-1, 1]`` (with a missing indicator where it may be
missing), a categorical one becomes a one-hot block over its categories (a
last slot for "missing"), the class label a one-hot block; the decoder's
scores are read back as ``tanh`` values with Gaussian noise of the learnt
scales, missing draws and category draws; ``_log_lik`` is the row
log-likelihood of encoded rows under the decoder's scores. The columns'
encoding and the decoding of their values are :class:`TabularEncoder`'s
declared-domain mode (``_column_encoder``). Everything here depends on the
domains only (declared or recorded in the ledger), never on the rows' values
beyond the row being encoded.
"""

import math

import numpy as np
import torch

from ._lipschitz_columns import _draw_categories, _values
from ._lipschitz_nets import _DTYPE


class _BoundedColumnsMixin:
    """Encoding, decoding and likelihood of rows on the declared column domains.

    The columns' encoding and the deterministic part of decoding are the
    fitted ``_column_encoder``'s (a :class:`TabularEncoder` on the declared
    domains); here: the class label, the refusal of missing values, the
    draws and the likelihood. Needs the fitted ``_columns``, ``_spec``,
    ``_y_spec``, ``_column_encoder`` and, after ``_build``, the block indices
    (``_value_index``, ``_missing_index``, ``_value_missing_index``,
    ``_softmax_blocks``).
    """

    def _encode(self, frame, y_enc):
        """Encoded rows. A missing value in a complete column is an error, except in the
        columns found complete by their private count: imputed there (fit, score, transform)."""
        for j, column in enumerate(self._columns):
            values = _values(self._spec, frame, j, column.categories is not None)
            if not (column.nullable or column.imputed) and column.missing(values).any():
                raise ValueError(
                    f"column {column.name!r} has missing values, but the model has no "
                    f"missing-value slot for it ({column.complete_reason}); impute it, or "
                    "refit with the column in `nullable`.")
        parts = [self._column_encoder._encode_frame(frame)]
        if self._y_spec is not None:
            onehot = np.zeros((frame.shape[0], len(self._y_spec.classes)))
            if y_enc is not None:
                onehot[np.arange(len(y_enc)), y_enc] = 1.0
            parts.append(onehot)
        return np.hstack(parts)

    def _blocks(self):
        """(start, stop, kind) of each decoder output block."""
        encoder = self._column_encoder
        out = [(span.start, span.stop, span.kind) for span in encoder.output_info_]
        start = encoder.n_features_out_
        if self._y_spec is not None:
            out.append((start, start + len(self._y_spec.classes), "label"))
        return out

    def _labels(self, rows):
        """The one-hot label block of encoded rows (None when fitted without labels)."""
        if self._y_spec is None:
            return None
        a, b = self._softmax_blocks[-1]
        return rows[:, a:b]

    def _onehot(self, y_enc):
        if y_enc is None:
            return None
        out = torch.zeros(len(y_enc), len(self._y_spec.classes), dtype=_DTYPE)
        out[torch.arange(len(y_enc)), torch.as_tensor(y_enc, dtype=torch.long)] = 1.0
        return out

    def _value_missing(self, data):
        """(n, n_numeric) missing indicators of the numeric columns (0 where not nullable)."""
        index = self._value_missing_index.to(data.device)
        return torch.nn.functional.pad(data, (0, 1))[:, index]

    def _log_lik(self, scores, data, log_scale, values=None):
        """Per-row log-likelihood of encoded rows given decoder scores.

        ``values`` (n, n_numeric), if given, replaces the numeric values of
        ``data`` and is scored everywhere (missing entries filled in by the
        caller) instead of only where observed.
        """
        vi, mi = self._value_index.to(scores.device), self._missing_index.to(scores.device)
        out = torch.zeros(scores.shape[0], dtype=scores.dtype, device=scores.device)
        if vi.numel():
            if values is None:
                observed, values = 1.0 - self._value_missing(data), data[:, vi]
            else:
                observed = torch.ones_like(values)
            resid = (values - torch.tanh(scores[:, vi])) / log_scale.exp()
            gauss = -0.5 * resid ** 2 - log_scale - 0.5 * math.log(2 * math.pi)
            out = out + (observed * gauss).sum(1)
            out = out - torch.nn.functional.binary_cross_entropy_with_logits(
                scores[:, mi], data[:, mi], reduction="none").sum(1)
        for a, b in self._softmax_blocks:
            logp = torch.log_softmax(scores[:, a:b], dim=1)
            out = out + (data[:, a:b] * logp).sum(1)
        return out

    def _decode(self, scores, y_enc, rng):
        """Output scores to rows: sample each column's distribution (or its mode if rng is None)."""
        n = scores.shape[0]
        log_scale = self._log_scale.detach().numpy()
        columns, start, v = [], 0, 0
        for j, column in enumerate(self._columns):
            block = scores[:, start:start + column.width]
            start += column.width
            if column.categories is None:
                mean = np.tanh(block[:, 0])
                missing = np.zeros(n, dtype=bool)
                if rng is None:
                    value = mean
                    if column.nullable:
                        missing = block[:, 1] > 0
                else:
                    value = mean + np.exp(log_scale[v]) * rng.standard_normal(n)
                    if column.nullable:
                        missing = rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-block[:, 1]))
                v += 1
                columns.append(self._column_encoder._decode_parts(j, value, missing))
            else:
                slot = _draw_categories(block, rng)
                columns.append(self._column_encoder._decode_parts(
                    j, slot, (slot == column.width - 1) & column.nullable))
        X_new = self._spec.restore(columns, rng)
        if self._y_spec is None:
            return X_new, None
        if y_enc is None:
            y_enc = _draw_categories(scores[:, start:], rng)
        return X_new, np.asarray(y_enc, dtype=np.intp)
