#!/usr/bin/python3
"""Trains one ETH/UCY trajectory predictor (one family, one held-out scene, one seed) and
exports it to ONNX, with the calibration inputs for the int8 conversion.

  /usr/bin/python3 models/recipe/train.py --scene zara1 --family lstm --seed 0 --out build/models

Leave-one-out: trains on the scene's train/ files (and val/ with --train-val; both come from the
other scenes), never reads test/. Without --train-val the epoch is chosen on val/; with it the
last epoch of the cosine schedule is kept.

--members K trains K networks (seeds seed*1000+k) and --mirror averages each with itself applied
to the mirror image of the track; the average is exported as ONE recurrent layer of
K*hidden*(2 if mirror) units whose weights are block-diagonal (each block one member, the mirror
blocks with the lateral input and outputs negated) and one linear head that averages: the same
numbers as running the members and averaging, in one streaming-capable layer.

Needs Debian's python3-torch and python3-numpy (with libopenblas0-pthread installed, an epoch
takes seconds). Deterministic for a given seed and thread count.
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


def batchify(segs, rng, noise, mirror, noise_prob=1.0):
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
        sigma = rng.random(B) * noise * (rng.random(B) < noise_prob)
        obs += rng.normal(0, 1, obs.shape) * sigma[:, None, None]
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


def train_member(a, family, train, val, mean, std, seed, log):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Predictor(family, a.hidden, mean, std)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.epochs)
    by_len = group_by_length(train)
    best = (1e9, None, -1)
    for epoch in range(a.epochs):
        order = []
        for L, group in sorted(by_len.items()):
            idx = rng.permutation(len(group))
            order += [(L, idx[i:i + a.batch]) for i in range(0, len(idx), a.batch)]
        rng.shuffle(order)
        total = 0.0
        for L, idx in order:
            X, Y, CV = batchify([by_len[L][i] for i in idx], rng, a.noise, True, a.noise_prob)
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
        last = epoch == a.epochs - 1
        if (a.train_val and last) or (not a.train_val and vade + vfde < best[0]):
            best = (vade + vfde, {k: v.clone() for k, v in model.state_dict().items()}, epoch)
        log(f'seed {seed} epoch {epoch}: train {total / len(order):.4f} val ADE {vade:.3f} FDE {vfde:.3f}')
    model.load_state_dict(best[1])
    model.eval()
    return model, best[2]


def combine(family, members, mirror, mean, std):
    """One Predictor whose output is the average of the members (and of their mirror images)."""
    copies = [(m, False) for m in members] + ([(m, True) for m in members] if mirror else [])
    H = members[0].rnn.hidden_size
    G = 4 if family == 'lstm' else 3
    n = len(copies)
    out = Predictor(family, H * n, mean, std)
    sign = torch.tensor([1.0, -1.0])
    head_sign = sign.repeat(PREDICT)                       # (forward, left) per future step
    with torch.no_grad():
        for name in ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']:
            getattr(out.rnn, name).zero_()
        out.head.weight.zero_()
        out.head.bias.zero_()
        for j, (m, flip) in enumerate(copies):
            r = m.rnn
            for g in range(G):
                src = slice(g * H, (g + 1) * H)
                dst = slice(g * H * n + j * H, g * H * n + (j + 1) * H)
                w_ih = r.weight_ih_l0[src].clone()
                if flip:
                    w_ih[:, 1] = -w_ih[:, 1]              # the lateral input, mirrored
                out.rnn.weight_ih_l0[dst] = w_ih
                out.rnn.weight_hh_l0[dst, j * H:(j + 1) * H] = r.weight_hh_l0[src]
                out.rnn.bias_ih_l0[dst] = r.bias_ih_l0[src]
                out.rnn.bias_hh_l0[dst] = r.bias_hh_l0[src]
            s = head_sign[:, None] if flip else 1.0
            out.head.weight[:, j * H:(j + 1) * H] = m.head.weight * s / n
            out.head.bias += (m.head.bias * (head_sign if flip else 1.0)) / n
    out.eval()
    return out


def check_combined(combined, members, mirror, val):
    """The combined layer must give the members' average (to float32 rounding)."""
    X = torch.from_numpy(np.stack([features(s[:OBSERVE + 4])[0] for s in val[:256]]).astype(np.float32))
    with torch.no_grad():
        want = 0
        for m in members:
            want = want + m.forward_all(X)
            if mirror:
                y = m.forward_all(X * torch.tensor([1.0, -1.0]))
                want = want + y * torch.tensor([1.0, -1.0])
        want = want / (len(members) * (2 if mirror else 1))
        got = combined.forward_all(X)
    err = (got - want).abs().max().item()
    assert err < 1e-4, f'combined model differs from the members by {err}'
    return err


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
    ap.add_argument('--noise-prob', type=float, default=1.0, help='share of training segments that get position noise')
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--weight-decay', type=float, default=0.0, help='AdamW decoupled weight decay')
    ap.add_argument('--train-val', action='store_true', help="train on val/ too and keep the last epoch")
    ap.add_argument('--members', type=int, default=1)
    ap.add_argument('--mirror', action='store_true', help='average each member with its mirror image')
    ap.add_argument('--threads', type=int, default=0, help='torch threads (default: all cores)')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads or max(1, os.cpu_count() or 1))
    t0 = time.time()
    train = build(a.scene, 'train', a.max_obs, stride=2)
    val_full = build(a.scene, 'val', a.max_obs, stride=2)
    val = [s[:OBSERVE + PREDICT] for s in build(a.scene, 'val', OBSERVE, stride=1)]
    if a.train_val:
        train = train + val_full
    feats = np.concatenate([features(s[:len(s) - PREDICT])[0] for s in train])
    mean, std = [0.0, 0.0], list(np.maximum(feats.std(0), 1e-3).astype(float))
    log = lambda m: print(f'{a.scene} {a.family} {m} ({time.time() - t0:.0f}s)', flush=True)
    members, epochs = [], []
    for k in range(a.members):
        m, e = train_member(a, a.family, train, val, mean, std, a.seed * 1000 + k, log)
        members.append(m)
        epochs.append(e)
    model = combine(a.family, members, a.mirror, mean, std) if a.members > 1 or a.mirror else members[0]
    combine_err = check_combined(model, members, a.mirror, val)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    stem = os.path.join(a.out, f'{a.family}-{a.scene}-s{a.seed}')
    torch.save(model.state_dict(), stem + '.pt')
    x = torch.zeros(1, OBSERVE - 1, 2)
    torch.onnx.export(model, x, stem + '.onnx', opset_version=14, input_names=['features'], output_names=['residuals'],
                      dynamic_axes={'features': {0: 'batch', 1: 'time'}, 'residuals': {0: 'batch'}})
    # calibration inputs for the int8 conversion: the longest training sequences (streams run
    # past the protocol's 8 positions, and the state ranges must cover that)
    full = [s for s in train if len(s) == a.max_obs + PREDICT]
    cal = [features(s[:a.max_obs])[0] for s in full[:: max(1, len(full) // 512)]][:512]
    np.save(stem + '.calibration.npy', np.stack(cal).astype(np.float32))
    vade, vfde = evaluate(model, val, rng)
    json.dump({'scene': a.scene, 'family': a.family, 'seed': a.seed, 'hidden': a.hidden, 'members': a.members,
               'mirror': a.mirror, 'units': model.rnn.hidden_size, 'epochs': a.epochs, 'kept_epochs': epochs,
               'train_val': a.train_val, 'val_ade': vade, 'val_fde': vfde, 'combine_max_err': combine_err,
               'train_segments': len(train), 'seconds': time.time() - t0}, open(stem + '.json', 'w'), indent=1)
    print(f'wrote {stem}.onnx ({model.rnn.hidden_size} units, epochs {epochs}, val ADE {vade:.3f} FDE {vfde:.3f}, {time.time() - t0:.0f}s)')


if __name__ == '__main__':
    main()
