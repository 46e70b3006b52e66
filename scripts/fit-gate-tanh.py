# Fits the rational tanh of the recurrent gates (assembly/kernels/activation_f32.ts, gateTanhF32):
#   tanh(x) ~ x P(t) / Q(t),  t = x^2,  Q(0) = 1,  x in [0, C]  (odd; clamped to C beyond)
# for the least maximum absolute error, by iteratively reweighted linear least squares (Lawson's
# method on the linearised error x P(t) - tanh(x) Q(t)), in the scaled variable s = t / C^2 for
# conditioning. Prints the double-precision error and the coefficients of t^0 .. t^m and
# t^0 .. t^n. The f32 error of the evaluated kernel (a few ulp more) is checked by the kernel
# tests. Run: python3 scripts/fit-gate-tanh.py [m n C]   (defaults: 4 4 9.0)
import sys
import numpy as np

def fit(m, n, c, iters=60):
    xs = np.concatenate([np.linspace(1e-5, c, 20000), np.linspace(c * 0.7, c, 5000)])
    xs.sort()
    y = np.tanh(xs)
    s = (xs / c) ** 2
    w = np.ones_like(xs)
    qv = np.ones_like(xs)
    best = None
    for _ in range(iters):
        a = np.hstack([xs[:, None] * s[:, None] ** np.arange(m + 1)[None, :],
                       -(y[:, None] * s[:, None] ** np.arange(1, n + 1)[None, :])])
        wt = w / np.abs(qv)
        sol, *_ = np.linalg.lstsq(a * wt[:, None], y * wt, rcond=None)
        p = sol[:m + 1]
        q = np.concatenate([[1.0], sol[m + 1:]])
        qv = np.polyval(q[::-1], s)
        err = np.abs(xs * np.polyval(p[::-1], s) / qv - y)
        mx = err.max()
        if best is None or mx < best[0]:
            best = (mx, p.copy(), q.copy())
        w = w * (err / mx + 1e-4) ** 0.6
        w /= w.max()
    mx, p, q = best
    return mx, [p[k] / c ** (2 * k) for k in range(m + 1)], [q[k] / c ** (2 * k) for k in range(n + 1)]

if __name__ == '__main__':
    m, n, c = (int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])) if len(sys.argv) > 3 else (4, 4, 9.0)
    mx, P, Q = fit(m, n, c)
    print('max |error| (double):', mx)
    print('P:', ', '.join(repr(float(v)) for v in P))
    print('Q:', ', '.join(repr(float(v)) for v in Q))
