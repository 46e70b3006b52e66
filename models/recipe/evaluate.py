#!/usr/bin/python3
"""Evaluates a trained PyTorch predictor on a held-out scene with the standard protocol, in the
recipe's own arithmetic (a cross-check of the host's pipeline: `edgernn eval` on the converted
.ernn must give the same numbers up to float32 rounding).

  /usr/bin/python3 models/recipe/evaluate.py --scene zara1 --family lstm --state build/models/lstm-zara1-s0.pt
"""
import argparse
import glob
import os

import numpy as np
import torch

from trajectory import DATA, OBSERVE, PREDICT, Predictor, features_batch, protocol_windows, read_file


def evaluate(model, scene, observe=OBSERVE):
    ade = fde = cade = cfde = n = 0.0
    for f in sorted(glob.glob(os.path.join(DATA, scene, 'test', '*.txt'))):
        w = protocol_windows(read_file(f), observe=observe)
        if len(w) == 0:
            continue
        obs = w[:, :observe]
        X, U, D = features_batch(obs)
        with torch.no_grad():
            r = model(torch.from_numpy(X.astype(np.float32))).double().numpy()   # [N, 12, 2]
        ux, uy = U[:, -1, 0:1], U[:, -1, 1:2]
        d = D[:, -1]
        cvx = ux[:, 0] * d[:, 0] + uy[:, 0] * d[:, 1]
        cvy = ux[:, 0] * d[:, 1] - uy[:, 0] * d[:, 0]
        ax = np.cumsum(r[..., 0] + cvx[:, None], 1)
        ay = np.cumsum(r[..., 1] + cvy[:, None], 1)
        px = obs[:, -1, 0:1] + ux * ax - uy * ay
        py = obs[:, -1, 1:2] + uy * ax + ux * ay
        err = np.hypot(px - w[:, observe:, 0], py - w[:, observe:, 1])
        cv = obs[:, -1:, :] + np.arange(1, PREDICT + 1)[None, :, None] * d[:, None, :]
        cerr = np.hypot(*(cv - w[:, observe:]).transpose(2, 0, 1))
        ade += err.mean(1).sum(); fde += err[:, -1].sum(); cade += cerr.mean(1).sum(); cfde += cerr[:, -1].sum(); n += len(w)
    return ade / n, fde / n, cade / n, cfde / n, int(n)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--scene', required=True)
    ap.add_argument('--family', required=True)
    ap.add_argument('--state', required=True)
    a = ap.parse_args()
    sd = torch.load(a.state)
    m = Predictor(a.family, sd['rnn.weight_hh_l0'].shape[1], sd['mean'].tolist(), sd['std'].tolist())
    m.load_state_dict(sd)
    m.eval()
    print('ADE %.3f FDE %.3f  (CV %.3f %.3f, %d windows)' % evaluate(m, a.scene))
    # streaming: the state after longer observation must stay as good (windows of 20 observed)
    print('observed 20: ADE %.3f FDE %.3f  (CV %.3f %.3f, %d windows)' % evaluate(m, a.scene, 20))
