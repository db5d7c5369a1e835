"""The batched likelihood kernels against plain recursions written from their definitions.

Each kernel evaluates a likelihood for many parameter values and history draws at once,
rearranged for speed; these tests pin it to the textbook recursion or the dense algebra.
"""

from __future__ import annotations

import numpy as np
import pytest

from forecast.models import estimation, theta


def _ses_reference(y: np.ndarray, alpha: float) -> tuple[float, float]:
    """SSE of SES at the least-squares initial level, by the recursion, one series."""
    # the errors are affine in l0: e_t(l0) = e_t(0) - (1 - alpha)^t l0
    def errors(l0):
        lev, out = l0, []
        for v in y:
            out.append(v - lev)
            lev += alpha * (v - lev)
        return np.array(out)

    r, x = errors(0.0), (1 - alpha) ** np.arange(len(y))
    l0 = float(x @ r / (x @ x))
    e = errors(l0)
    return float(e @ e), l0


@pytest.mark.parametrize(("b", "p", "n"), [(1, 41, 12), (20, 5, 17), (2, 3, 300)])
def test_ses_sse_matches_the_recursion(b, p, n):
    rng = np.random.default_rng(n)
    Y = 100 + rng.normal(size=(b, n)).cumsum(1)
    alpha = rng.uniform(1e-4, 0.9999, size=(b, p))
    sse, l0 = theta._ses_sse(Y, alpha)
    assert sse.shape == l0.shape == (b, p)
    for i in range(b):
        for k in range(p):
            ref_sse, ref_l0 = _ses_reference(Y[i], alpha[i, k])
            assert sse[i, k] == pytest.approx(ref_sse, rel=1e-9, abs=1e-9)
            assert l0[i, k] == pytest.approx(ref_l0, rel=1e-9)


def test_ses_sse_of_a_constant_series_is_zero():
    Y = np.full((1, 16), 5.0)
    sse, l0 = theta._ses_sse(Y, np.array([[1e-4, 0.5, 0.9999]]))
    np.testing.assert_array_equal(sse, 0.0)
    np.testing.assert_array_equal(l0, 5.0)


def test_ma2_profile_is_the_exact_gaussian_likelihood():
    """Against the dense banded covariance: its log-determinant and quadratic form."""
    from forecast.models.filtered import _ma2_profile

    rng = np.random.default_rng(5)
    N = 15
    W = rng.normal(size=(2, N))
    # autocovariances of second differences of a local linear trend (always valid)
    p = rng.dirichlet(np.ones(3), size=(2, 4))
    g0 = 6 * p[..., 0] + 2 * p[..., 1] + p[..., 2]
    g1, g2 = -4 * p[..., 0] - p[..., 1], p[..., 0]
    llf, s2 = _ma2_profile(g0, g1, g2, W)
    for b in range(2):
        for k in range(4):
            cov = (np.diag(np.full(N, g0[b, k])) + np.diag(np.full(N - 1, g1[b, k]), 1)
                   + np.diag(np.full(N - 1, g1[b, k]), -1)
                   + np.diag(np.full(N - 2, g2[b, k]), 2)
                   + np.diag(np.full(N - 2, g2[b, k]), -2))
            quad = W[b] @ np.linalg.solve(cov, W[b])
            ref_s2 = quad / N
            ref = -0.5 * N * (np.log(2 * np.pi * ref_s2) + 1) - 0.5 * np.linalg.slogdet(cov)[1]
            assert s2[b, k] == pytest.approx(ref_s2, rel=1e-10)
            assert llf[b, k] == pytest.approx(ref, rel=1e-10)


def test_two_state_filter_on_one_series_equals_the_batched_one():
    """B = 1 runs on Python floats; the same arithmetic on arrays gives the same bits."""
    from forecast.models import kalman

    rng = np.random.default_rng(2)
    n = 14
    y = 10 + rng.normal(size=n).cumsum()
    Z = np.array([[1.0, 0.0]])
    T = np.array([[[1.0, 1.0], [0.0, 1.0]]])
    Rf = np.array([[[0.0, 0.3, 0.0], [0.0, 0.0, 0.1]]])
    cf = np.array([[0.5, 0.0, 0.0]])
    a1, P1 = np.array([[y[0], 0.0]]), np.array([[[1e6, 0.0], [0.0, 1e6]]])
    one = kalman.run(y[None, :], Z, T, Rf, cf, a1, P1)
    two = kalman.run(np.stack([y, y]), *(np.repeat(x, 2, axis=0) for x in (Z, T, Rf, cf, a1,
                                                                              P1)))
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(b[0], b[1])


@pytest.mark.parametrize("k", [1, 2, 3])
def test_newton_step_algebra_matches_lapack(k):
    """The search's definiteness test and solve, closed-form for k <= 2, against numpy."""
    from forecast.models import search

    rng = np.random.default_rng(k)
    A = rng.normal(size=(500, k, k))
    Hm = A + np.swapaxes(A, 1, 2)  # symmetric, of every sign pattern
    Hm[:5] = -np.eye(k) * rng.uniform(0.1, 2, size=(5, 1, 1))  # some surely definite
    g = rng.normal(size=(500, k))
    expected = np.all(np.linalg.eigvalsh(Hm) < 0, axis=1)
    np.testing.assert_array_equal(search._negative_definite(Hm), expected)
    assert expected.sum() >= 5
    np.testing.assert_allclose(search._solve(Hm, g), np.linalg.solve(Hm, g[..., None])[..., 0],
                               rtol=1e-9, atol=1e-9)


def test_ses_on_one_point_equals_the_batched_recursion():
    """One series and one constant run on Python floats; arrays give the same bits."""
    rng = np.random.default_rng(3)
    y = 50 + rng.normal(size=23).cumsum()
    Y = np.stack([y, y])
    for alpha, l0 in [(0.3, 0.0), (0.9999, 41.5), (1e-4, -3.0)]:
        e1, l1 = theta._ses_run(y[None, :], np.array([alpha]), np.array([l0]))
        e2, l2 = theta._ses_run(Y, np.full(2, alpha), np.full(2, l0))
        assert e1.shape == l1.shape == (1, 23)
        np.testing.assert_array_equal(e1[0], e2[1])
        np.testing.assert_array_equal(l1[0], l2[1])
        # (B, P) parameters: the point inside a grid of constants, the same bits again
        sse1, x1 = theta._ses_sse(y[None, :], np.array([[alpha]]))
        sse2, x2 = theta._ses_sse(Y, np.array([[0.5, alpha], [alpha, 0.1]]))
        assert sse1.shape == (1, 1)
        assert sse1[0, 0] == sse2[0, 1] == sse2[1, 0]
        assert x1[0, 0] == x2[0, 1] == x2[1, 0]
    # the reference recursion agrees too
    e, lev = theta._ses_run(y[None, :], 0.3, 2.0)
    ref_e, ref_l, level = [], [], 2.0
    for v in y:
        ref_e.append(v - level)
        level += 0.3 * (v - level)
        ref_l.append(level)
    np.testing.assert_allclose(e[0], ref_e, rtol=1e-13)
    np.testing.assert_allclose(lev[0], ref_l, rtol=1e-13)


def test_ma2_profile_on_one_point_equals_the_batched_one():
    """The single-point float path against the same point in a batch, bit for bit; and a
    zero variance (a division by zero in floats) handled as the arrays handle it."""
    from forecast.models.filtered import _ma2_profile

    rng = np.random.default_rng(9)
    N = 19
    W = rng.normal(size=(1, N))
    p = rng.dirichlet(np.ones(3), size=(1, 6))
    g = (6 * p[..., 0] + 2 * p[..., 1] + p[..., 2], -4 * p[..., 0] - p[..., 1], p[..., 0])
    batch = _ma2_profile(*g, W)
    for k in range(6):
        one = _ma2_profile(*(x[:, k:k + 1] for x in g), W)
        for a, b in zip(one, batch, strict=True):
            assert a.shape == (1, 1)
            assert a[0, 0] == b[0, k]
    zero = (np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)))
    expected = _ma2_profile(*(np.zeros((1, 2)),) * 3, W)
    llf, s2 = _ma2_profile(*zero, W)  # no ZeroDivisionError: the arrays' inf/nan rules
    assert llf[0, 0] == -np.inf == expected[0][0, 0]
    np.testing.assert_array_equal(s2, expected[1][:, :1])


@pytest.mark.parametrize("k", [1, 2])
def test_newton_step_of_one_problem_equals_the_batched_one(k):
    """One problem's step on Python floats against the same coefficients in a batch."""
    from forecast.models import search

    rng = np.random.default_rng(10 + k)
    m = 1 + k + k * (k + 1) // 2
    coefs = rng.normal(size=(400, m)) * rng.choice([1e-3, 1.0, 1e3], size=(400, 1))
    ok = rng.random(400) > 0.1
    u_all, concave_all = search._newton_step(coefs, ok, k)
    assert 50 < concave_all.sum() < 350  # both branches are exercised
    for i in range(400):
        u, concave = search._newton_step(coefs[i:i + 1], ok[i:i + 1], k)
        assert u.shape == (1, k)
        assert concave[0] == concave_all[i]
        if concave[0]:
            np.testing.assert_array_equal(u[0], u_all[i])


@pytest.mark.parametrize(("b", "p"), [(1, 9), (2, 5), (1, 3)])
def test_few_points_on_floats_equal_the_arrays(b, p, monkeypatch):
    """Up to FLOAT_POINTS points run point by point on floats: the arrays' bits exactly."""
    from forecast.models import filtered

    rng = np.random.default_rng(b * 10 + p)
    N = 21
    W = rng.normal(size=(b, N))
    q = rng.dirichlet(np.ones(3), size=(b, p))
    g = (6 * q[..., 0] + 2 * q[..., 1] + q[..., 2], -4 * q[..., 0] - q[..., 1], q[..., 0])
    Y = 30 + rng.normal(size=(b, N)).cumsum(1)
    alpha = rng.uniform(1e-4, 0.9999, size=(b, p))
    floats = filtered._ma2_profile(*g, W), theta._ses_sse(Y, alpha)
    monkeypatch.setattr(theta, "FLOAT_POINTS", 0)  # every call on arrays
    monkeypatch.setattr(filtered, "FLOAT_POINTS", 0)
    arrays = filtered._ma2_profile(*g, W), theta._ses_sse(Y, alpha)
    for f, a in zip(floats, arrays, strict=True):
        for x, y in zip(f, a, strict=True):
            assert x.shape == y.shape == (b, p)
            np.testing.assert_array_equal(x, y)


def test_two_state_horizon_rows_on_one_series_equal_the_batched_ones():
    from forecast.models import kalman

    rng = np.random.default_rng(12)
    Z, T = rng.normal(size=(1, 2)), 0.8 * rng.normal(size=(1, 2, 2))
    Rf, cf = rng.normal(size=(1, 2, 3)), rng.normal(size=(1, 3))
    one = kalman.horizon_rows(Z, T, Rf, cf, 17)
    many = kalman.horizon_rows(*(np.repeat(x, 3, axis=0) for x in (Z, T, Rf, cf)), 17)
    for a, b in zip(one, many, strict=True):
        np.testing.assert_array_equal(a[0], b[2])
    # and the definition: rows Z T^k, noise variance accumulated before step k + 1
    Q, H = Rf[0] @ Rf[0].T, cf[0] @ cf[0]
    powers = [np.linalg.matrix_power(T[0], k) for k in range(17)]
    np.testing.assert_allclose(one[0][0], [Z[0] @ P for P in powers], rtol=1e-12)
    q = [Z[0] @ P @ Q @ P.T @ Z[0] for P in powers]
    np.testing.assert_allclose(one[1][0], H + np.concatenate([[0.0], np.cumsum(q)[:-1]]),
                               rtol=1e-12)


@pytest.mark.parametrize(("b", "n"), [(1, 9), (1, 25), (20, 15), (3, 42)])
def test_llt_grid_from_cached_inverses_equals_the_innovations(b, n):
    """The first pass's grid likelihoods as quadratic forms in cached inverse MA(2)
    covariances (one inversion per length, shared by every series) equal the innovations
    recursion's; lengths past GRID_CACHE_N fall back to the recursion."""
    from forecast.models import filtered, search

    rng = np.random.default_rng(n)
    y = np.cumsum(np.cumsum(rng.normal(0.02, 0.05, (b, n)), axis=1), axis=1)
    W = np.diff(y, n=2, axis=1)
    Wn = W / W.std(1, keepdims=True)
    fast = filtered._llt_grid_llf(Wn)
    if n - 2 > filtered.GRID_CACHE_N:
        assert fast is None
        return
    grid = search._grid(*filtered._LLT_BOX, (filtered._LLT_GRID,) * 2)
    p = filtered._shares(np.broadcast_to(grid, (b, *grid.shape)))
    slow, _ = filtered._ma2_profile(6 * p[..., 0] + 2 * p[..., 1] + p[..., 2],
                                    -4 * p[..., 0] - p[..., 1], p[..., 0], Wn)
    np.testing.assert_allclose(fast, slow, rtol=1e-12)
    assert (fast.argmax(1) == slow.argmax(1)).all()


def test_llt_fit_is_the_same_with_and_without_the_cached_grid(monkeypatch):
    """Only the route to the grid's values changes: the estimates are the same bits."""
    from forecast.models import filtered

    rng = np.random.default_rng(7)
    Y = np.log(10) + np.cumsum(rng.normal(0.05, 0.1, (12, 18)), axis=1)
    fast = filtered.fit_llt(Y)
    monkeypatch.setattr(filtered, "GRID_CACHE_N", 0)  # every length: the recursion
    slow = filtered.fit_llt(Y)
    for a, c in zip(fast, slow, strict=True):
        assert a.params == c.params
    # memory bounded: one entry per length up to GRID_CACHE_N (21.5 MB for all)
    assert filtered._llt_grid_inverse.cache_info().maxsize == 41


@pytest.mark.parametrize(("b", "n"), [(1, 6), (1, 25), (20, 15), (2, 45)])
def test_theta_grid_from_cached_forms_equals_the_ses_recursion(b, n):
    """Theta's first-pass SSEs as cached quadratic forms equal the profiled recursion's;
    lengths past THETA_CACHE_N fall back to the recursion."""
    from forecast.models import search

    rng = np.random.default_rng(n)
    Y = np.cumsum(rng.normal(0.05, 0.1, (b, n)), axis=1)
    Yr = (Y - Y[:, :1]) / Y.std(1, keepdims=True)
    fast = theta._theta_grid_llf(Yr)
    if n > theta.THETA_CACHE_N:
        assert fast is None
        return
    alphas = search._grid((estimation.ALPHA[0],), (estimation.ALPHA[1],),
                          (theta._THETA_GRID,))[:, 0]
    sse, _ = theta._ses_sse(Yr, np.broadcast_to(alphas, (b, alphas.size)))
    np.testing.assert_allclose(fast, -np.log(np.maximum(sse, 1e-300)), rtol=1e-12, atol=1e-12)


def test_theta_fit_is_the_same_with_and_without_the_cached_grid(monkeypatch):
    rng = np.random.default_rng(8)
    Y = np.log(10) + np.cumsum(rng.normal(0.05, 0.1, (12, 18)), axis=1)
    fast = theta.fit_theta(Y)
    monkeypatch.setattr(theta, "THETA_CACHE_N", 0)
    slow = theta.fit_theta(Y)
    for a, c in zip(fast, slow, strict=True):
        assert a.params == c.params
    assert theta._ses_grid_forms.cache_info().maxsize == 41  # lengths 0..40


def test_the_grid_caches_keep_every_length_they_serve():
    """32 entries for lengths up to 40: a loop cycling through M1's 33 lengths 8..40
    missed on every fit (5.0-5.4 ms per Auto fit against 3.05 ms for 30 lengths)."""
    from forecast.models import filtered

    rng = np.random.default_rng(3)
    for cached, longest in ((theta._ses_grid_forms, theta.THETA_CACHE_N),
                            (filtered._llt_grid_inverse, filtered.GRID_CACHE_N)):
        cached.cache_clear()
        for _ in range(2):  # two rounds through every length
            for n in range(2, longest + 1):
                Y = np.log(10) + np.cumsum(rng.normal(0.05, 0.1, (2, n + 2)), axis=1)
                if cached is theta._ses_grid_forms:
                    theta._theta_grid_llf(Y[:, :n] - Y[:, :1])
                else:
                    filtered._llt_grid_llf(np.diff(Y, n=2, axis=1))
        info = cached.cache_info()
        assert info.misses == longest - 1  # once per length: the second round only hits
        assert info.hits == longest - 1
