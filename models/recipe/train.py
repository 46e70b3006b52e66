#!/usr/bin/python3
"""Trains one ETH/UCY trajectory predictor (one family, one held-out scene, one seed) and
exports it to ONNX, with the calibration inputs for the int8 conversion.

  /usr/bin/python3 models/recipe/train.py --scene zara1 --family lstm --seed 0 --out build/models

Leave-one-out: trains on the scene's train/ files, selects the epoch on its val/ files (both from
the other scenes), never reads test/. Needs Debian's python3-torch and python3-numpy (with
libopenblas0-pthread installed, an epoch takes seconds). Deterministic for a given seed.
"""
import argparse
import json
import os
import time

import numpy as np
import torch

from trajectory import (OBSERVE, PREDICT, Predictor, features, features_batch, load_fold, segments, tracks)


def build(scene, split, max_obs, stride):
    segs = []
    for rows in load_fold(scene, split):
        segs += segments(tracks(rows), max_obs=max_obs, stride=stride)
    return segs


def batchify(segs, rng, noise, mirror):
    """Features, heading frames and targets for a list of segments (all of the same length).

    Observed positions may get noise; targets are the true future positions relative to the
    observed (noisy) current position, in the current heading frame."""
    p = np.stack(segs).astype(np.float64)          # [B, L, 2]
    B, L, _ = p.shape
    T = L - PREDICT - 1                            # model steps (one per displacement)
    if mirror:
        flip = rng.random(B) < 0.5
        p[flip, :, 1] = -p[flip, :, 1]
    obs = p[:, :L - PREDICT].copy()
    if noise > 0:
        obs += rng.normal(0, 1, obs.shape) * (rng.random(B) * noise)[:, None, None]
    X, U, D = features_batch(obs)
    ux, uy = U[..., 0], U[..., 1]                  # [B, T]
    CV = np.stack([ux * D[..., 0] + uy * D[..., 1], ux * D[..., 1] - uy * D[..., 0]], -1)
    Y = np.zeros((B, T, PREDICT, 2))
    for t in range(T):
        fut = p[:, t + 2:t + 2 + PREDICT] - obs[:, t + 1][:, None]
        if fut.shape[1] < PREDICT:
            continue
        a, b = ux[:, t, None], uy[:, t, None]
        Y[:, t, :, 0] = a * fut[..., 0] + b * fut[..., 1]
        Y[:, t, :, 1] = a * fut[..., 1] - b * fut[..., 0]
    return (torch.from_numpy(X.astype(np.float32)), torch.from_numpy(Y.astype(np.float32)),
            torch.from_numpy(CV.astype(np.float32)))


def positions(res, cv):
    """Residuals [B, T, 12, 2] + constant velocity [B, T, 2] -> positions relative to p_t."""
    disp = res + cv.unsqueeze(2)
    return torch.cumsum(disp, dim=2)


def group_by_length(segs):
    by = {}
    for s in segs:
        by.setdefault(len(s), []).append(s)
    return by


def evaluate(model, segs, rng):
    """ADE/FDE at the protocol's step (after OBSERVE positions) on segments of the val split."""
    model.eval()
    ade = fde = n = 0.0
    with torch.no_grad():
        for L, group in group_by_length(segs).items():
            for i in range(0, len(group), 512):
                X, Y, CV = batchify(group[i:i + 512], rng, 0, False)
                t = OBSERVE - 2
                pos = positions(model.forward_all(X[:, :t + 1]), CV[:, :t + 1])[:, t]
                err = torch.linalg.norm(pos - Y[:, t], dim=-1)
                ade += err.mean(1).sum().item()
                fde += err[:, -1].sum().item()
                n += len(X)
    model.train()
    return ade / n, fde / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--scene', required=True)
    ap.add_argument('--family', choices=['lstm', 'gru'], required=True)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--hidden', type=int, default=64)
    ap.add_argument('--epochs', type=int, default=30)
    ap.add_argument('--max-obs', type=int, default=12)
    ap.add_argument('--noise', type=float, default=0.05)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--loss-from', type=int, default=1, help='first step (0-based) whose prediction counts in the loss')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    t0 = time.time()
    train = build(a.scene, 'train', a.max_obs, stride=2)
    val = [s[:OBSERVE + PREDICT] for s in build(a.scene, 'val', OBSERVE, stride=1)]
    feats = np.concatenate([features(s[:len(s) - PREDICT])[0] for s in train])
    mean, std = [0.0, 0.0], list(np.maximum(feats.std(0), 1e-3).astype(float))
    model = Predictor(a.family, a.hidden, mean, std)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.epochs)
    by_len = group_by_length(train)
    best = (1e9, None, -1)
    for epoch in range(a.epochs):
        order = []
        for L, group in by_len.items():
            idx = rng.permutation(len(group))
            order += [(L, idx[i:i + 128]) for i in range(0, len(idx), 128)]
        rng.shuffle(order)
        total = 0.0
        for L, idx in order:
            X, Y, CV = batchify([by_len[L][i] for i in idx], rng, a.noise, True)
            pos = positions(model.forward_all(X), CV)
            # every step with a full future, from --loss-from on
            err = torch.linalg.norm(pos[:, a.loss_from:] - Y[:, a.loss_from:], dim=-1)
            loss = err.mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += loss.item()
        sched.step()
        vade, vfde = evaluate(model, val, rng)
        if vade + vfde < best[0]:
            best = (vade + vfde, {k: v.clone() for k, v in model.state_dict().items()}, epoch)
        print(f'{a.scene} {a.family} seed {a.seed} epoch {epoch}: train {total / len(order):.4f} val ADE {vade:.3f} FDE {vfde:.3f} ({time.time() - t0:.0f}s)', flush=True)
    model.load_state_dict(best[1])
    model.eval()
    os.makedirs(a.out, exist_ok=True)
    stem = os.path.join(a.out, f'{a.family}-{a.scene}-s{a.seed}')
    torch.save(model.state_dict(), stem + '.pt')
    x = torch.zeros(1, OBSERVE - 1, 2)
    torch.onnx.export(model, x, stem + '.onnx', opset_version=14, input_names=['features'], output_names=['residuals'],
                      dynamic_axes={'features': {0: 'batch', 1: 'time'}, 'residuals': {0: 'batch'}})
    # calibration inputs for the int8 conversion: protocol-length feature sequences of train
    cal = [features(s[:OBSERVE])[0] for s in train[:: max(1, len(train) // 512)]][:512]
    np.save(stem + '.calibration.npy', np.stack(cal).astype(np.float32))
    vade, vfde = evaluate(model, val, rng)
    json.dump({'scene': a.scene, 'family': a.family, 'seed': a.seed, 'hidden': a.hidden, 'epochs': a.epochs,
               'best_epoch': best[2], 'val_ade': vade, 'val_fde': vfde, 'train_segments': len(train),
               'seconds': time.time() - t0}, open(stem + '.json', 'w'), indent=1)
    print(f'wrote {stem}.onnx (best epoch {best[2]}, val ADE {vade:.3f} FDE {vfde:.3f}, {time.time() - t0:.0f}s)')


if __name__ == '__main__':
    main()
