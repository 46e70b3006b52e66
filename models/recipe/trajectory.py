"""Data, features and model of the edgernn ETH/UCY trajectory predictors.

The features and outputs here are exactly those of the host's trajectory pipeline
(host/stream/track.ts, host/stream/spec.ts), declared in the model's metadata:

  * per step t (one new position every 0.4 s): the displacement d_t = p_t - p_(t-1), expressed
    in the frame of the heading before it, h_(t-1) (x along the heading, y to its left).
    The heading is the direction of the latest displacement longer than MIN_STEP metres; before
    the first such displacement it is the world x axis, and the first step uses its own heading.
  * the model outputs, after each step, 12 future displacements in the frame of the current
    heading h_t, as residuals over constant velocity: displacement_k = R(-h_t) d_t + r_k.

These quantities do not depend on the scene's orientation, so no rotation augmentation is
needed; mirror images and position noise are used instead.
"""
import glob
import math
import os

import numpy as np
import torch
from torch import nn

MIN_STEP = 0.02          # metres per step below which the heading is kept
OBSERVE, PREDICT = 8, 12
DATA = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'data', 'eth-ucy')


def read_file(path):
    rows = np.loadtxt(path, dtype=np.float64, ndmin=2)
    return rows  # frame, id, x, y


def tracks(rows):
    """Per pedestrian, maximal runs of positions over consecutive listed frames of the file."""
    frames = np.unique(rows[:, 0])
    index = {f: i for i, f in enumerate(frames)}
    out = []
    for pid in np.unique(rows[:, 1]):
        r = rows[rows[:, 1] == pid]
        r = r[np.argsort(r[:, 0])]
        idx = np.array([index[f] for f in r[:, 0]])
        start = 0
        for k in range(1, len(r) + 1):
            if k == len(r) or idx[k] != idx[k - 1] + 1:
                if k - start >= 2:
                    out.append(r[start:k, 2:4].copy())
                start = k
    return out


def features(p):
    """Heading-frame displacements of positions p [L, 2] -> (features [L-1, 2], headings [L-1, 2] unit)."""
    d = np.diff(p, axis=0)
    L = len(d)
    feats = np.zeros((L, 2))
    heads = np.zeros((L, 2))
    u = None
    for t in range(L):
        n = math.hypot(d[t, 0], d[t, 1])
        new_u = d[t] / n if n > MIN_STEP else u
        prev = u if u is not None else (new_u if new_u is not None else np.array([1.0, 0.0]))
        feats[t] = [prev[0] * d[t, 0] + prev[1] * d[t, 1], prev[0] * d[t, 1] - prev[1] * d[t, 0]]
        u = new_u
        heads[t] = u if u is not None else [1.0, 0.0]
    return feats, heads, d


def features_batch(p):
    """features() for a batch of equally long position sequences p [B, L, 2] (same arithmetic)."""
    d = np.diff(p, axis=1)
    B, T, _ = d.shape
    feats = np.zeros((B, T, 2))
    heads = np.zeros((B, T, 2))
    u = np.zeros((B, 2))
    has = np.zeros(B, bool)
    unit_x = np.array([1.0, 0.0])
    for t in range(T):
        n = np.hypot(d[:, t, 0], d[:, t, 1])
        big = n > MIN_STEP
        new_u = np.where(big[:, None], d[:, t] / np.maximum(n, 1e-300)[:, None], u)
        prev = np.where(has[:, None], u, np.where(big[:, None], new_u, unit_x))
        feats[:, t, 0] = prev[:, 0] * d[:, t, 0] + prev[:, 1] * d[:, t, 1]
        feats[:, t, 1] = prev[:, 0] * d[:, t, 1] - prev[:, 1] * d[:, t, 0]
        has = has | big
        u = new_u
        heads[:, t] = np.where(has[:, None], u, unit_x)
    return feats, heads, d


def segments(track_list, max_obs=20, stride=3):
    """Segments of up to max_obs observed positions plus PREDICT future ones."""
    out = []
    for tr in track_list:
        n = len(tr)
        if n < OBSERVE + PREDICT:
            continue
        for s in range(0, n - (OBSERVE + PREDICT) + 1, stride):
            L = min(max_obs, n - s - PREDICT)
            out.append(tr[s:s + L + PREDICT])
    return out


def load_fold(scene, split):
    files = sorted(glob.glob(os.path.join(DATA, scene, split, '*.txt')))
    return [read_file(f) for f in files]


class Predictor(nn.Module):
    """Recurrent layer over the step features, a linear head on the current output.

    forward(x [B, T, 2]) -> [B, 12, 2]: the residuals after the last step. The per-feature
    normalisation is part of the graph (the converter folds it into the first layer)."""

    def __init__(self, family, hidden, mean, std):
        super().__init__()
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32))
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32))
        rnn = nn.LSTM if family == 'lstm' else nn.GRU
        self.rnn = rnn(2, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2 * PREDICT)

    def forward_all(self, x):
        y, _ = self.rnn((x - self.mean) / self.std)
        return self.head(y).view(x.shape[0], x.shape[1], PREDICT, 2)

    def forward(self, x):
        y, _ = self.rnn((x - self.mean) / self.std)
        return self.head(y[:, -1]).view(-1, PREDICT, 2)


def protocol_windows(rows, observe=OBSERVE, predict=PREDICT):
    """The standard protocol's windows of one file: [N, observe + predict, 2] (see host/stream/ethucy.ts)."""
    frames = np.unique(rows[:, 0])
    by = [dict() for _ in frames]
    index = {f: i for i, f in enumerate(frames)}
    for f, pid, x, y in rows:
        by[index[f]][pid] = (x, y)
    out = []
    L = observe + predict
    for s in range(len(frames) - L + 1):
        for pid in sorted(by[s]):
            if all(pid in by[s + k] for k in range(L)):
                out.append([by[s + k][pid] for k in range(L)])
    return np.array(out, dtype=np.float64).reshape(-1, L, 2)
