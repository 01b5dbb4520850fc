"""Fast WGS84 geodesic distance, bit-identical to geographiclib.

This is a specialised port of ``Geodesic._GenInverse`` from geographiclib
(https://geographiclib.sourceforge.io/, by Charles Karney, MIT/X11 licence;
algorithms from C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87,
43-55 (2013)) for the single case::

    Geodesic(6378.137, 1 / 298.257223563).Inverse(
        lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"] * 1000

i.e. the WGS84 ellipsoid in kilometres (as geopy uses it), distance only,
converted to metres.  ``geodesic_m`` returns the *same float* as that call:
it performs exactly the same floating-point operations in the same order.
The speed-up comes only from inlining calls, unrolling ``polyval`` and the
Clenshaw sums (same Horner/Clenshaw order), hoisting per-ellipsoid
constants, and dropping work whose result the distance does not use
(azimuths, reduced length/scale/area outputs, the Newton derivative on the
final iteration).  Where an operation was removed outright it is because it
is an exact identity (``x - 0``, ``1.0 * x``, ``x + 0.0`` on a value that can
not be -0.0, ``fmod(x, 360)`` for ``|x| <= 90``); each such place is marked.

NaN/infinite input or |lat| > 90 gives NaN, as in geographiclib; finite longitudes
outside [-180, 180] are reduced exactly as geographiclib reduces them.

Why it exists: every nearby answer measures five or six venues, and
geographiclib's general routine (any ellipsoid, any output) took ~20 µs a call,
a tenth of an answer's CPU; this takes ~5 µs. The main routine is written out
flat (each call it avoids is a tenth of a microsecond); the series and their
coefficients are small helpers, so that each is written once.
tests/unit/test_karney.py compares it with geographiclib on every kind of pair.

Needs Python >= 3.10: on 3.8/3.9 geographiclib's ``Math.norm`` uses
``sqrt(x*x + y*y)`` instead of ``math.hypot``, which this port hard-codes.
"""

from __future__ import annotations

import math
from math import atan2, copysign, cos, hypot, nan, pi, radians, remainder, sin, sqrt

from geographiclib.geodesic import Geodesic

# geopy's ELLIPSOIDS["WGS-84"] major semi-axis (km) and flattening, copied rather
# than imported: importing geopy.distance loads its geocoders too (~25 MB).
WGS84_MAJOR_KM = 6378.137
WGS84_FLATTENING = 1 / 298.257223563
# Per-ellipsoid constants are taken from a real Geodesic instance so that they are
# the identical floats geographiclib uses.
_G = Geodesic(WGS84_MAJOR_KM, WGS84_FLATTENING)
_A: float = _G.a
_F: float = _G.f
_F1: float = _G._f1
_EP2: float = _G._ep2
_N: float = _G._n
_B: float = _G._b
_ETOL2: float = _G._etol2
_TINY: float = Geodesic.tiny_
_TOL0: float = Geodesic.tol0_
_TOL1: float = Geodesic.tol1_
_TOL2: float = Geodesic.tol2_
_TOLB: float = Geodesic.tolb_
_MAXIT1: int = Geodesic.maxit1_
_MAXIT2: int = Geodesic.maxit2_
# Constant sub-expressions, evaluated exactly as geographiclib evaluates them.
_NTOL1: float = -Geodesic.tol1_
_XLIM: float = -1 - Geodesic.xthresh_
_F180: float = _F * 180
_NEG_F: float = -_F
_M2F1: float = -2 * _F1
_ASTR: float = 6 * abs(_N) * pi  # left operand of "6 * abs(n) * pi * sq(cbet1)"
_TINY3: float = 3 * _TINY
_TOL8: float = 8 * _TOL0
_TOL16: float = 16 * _TOL0
# The unrolled series assume order 6; the branches kept assume an oblate ellipsoid.
assert Geodesic.GEOGRAPHICLIB_GEODESIC_ORDER == 6
assert _F > 0
assert abs(_N) < 0.1
(_A3x0, _A3x1, _A3x2, _A3x3, _A3x4, _A3x5) = _G._A3x
(
    _C3x0,
    _C3x1,
    _C3x2,
    _C3x3,
    _C3x4,
    _C3x5,
    _C3x6,
    _C3x7,
    _C3x8,
    _C3x9,
    _C3x10,
    _C3x11,
    _C3x12,
    _C3x13,
    _C3x14,
) = _G._C3x

# Meridional geodesics call _Lengths with eps = n, a constant: precompute with
# geographiclib's own routines.
_MA1m1: float = Geodesic._A1m1f(_N)
_MA2m1: float = Geodesic._A2m1f(_N)
_MC1: list[float] = [0.0] * 7
_MC2: list[float] = [0.0] * 7
Geodesic._C1f(_N, _MC1)
Geodesic._C2f(_N, _MC2)
_MM0X: float = _MA1m1 - _MA2m1
_MA1: float = 1 + _MA1m1
_MA2: float = 1 + _MA2m1
del _G


def _sincos_series6(sinx: float, cosx: float, c: list[float]) -> float:
    """Geodesic._SinCosSeries(True, sinx, cosx, c) for len(c) == 7."""
    ar = 2 * (cosx - sinx) * (cosx + sinx)
    y1 = ar * 0.0 + c[6]  # original: ar * 0 - 0 + c[6]; "- 0" is exact identity
    y0 = ar * y1 + c[5]  # original: ar * y1 - 0 + c[5]
    y1 = ar * y0 - y1 + c[4]
    y0 = ar * y1 - y0 + c[3]
    y1 = ar * y0 - y1 + c[2]
    y0 = ar * y1 - y0 + c[1]
    return 2 * sinx * cosx * y0


def _sincos_series5(sinx: float, cosx: float, c: tuple[float, ...]) -> float:
    """Geodesic._SinCosSeries(True, sinx, cosx, [0, *c]) for len(c) == 5: the odd
    length makes y0 start as c[4], and "- y1" with y1 == 0 is dropped (exact)."""
    ar = 2 * (cosx - sinx) * (cosx + sinx)
    y1 = ar * c[4] + c[3]
    y0 = ar * y1 - c[4] + c[2]
    y1 = ar * y0 - y1 + c[1]
    y0 = ar * y1 - y0 + c[0]
    return 2 * sinx * cosx * y0


def _a1m1_c1(eps: float) -> tuple[float, list[float]]:
    """Geodesic._A1m1f(eps) and _C1f(eps, c), unrolled: "1.0 * e2" and "+ 0" (on a
    value >= +0) are exact no-ops, and "-1.0 * e2 + 6" is 6.0 - e2 exactly."""
    e2 = eps * eps
    a1 = ((e2 + 4.0) * e2 + 64.0) * e2 / 256
    d3 = e2 * eps
    d4 = d3 * eps
    d5 = d4 * eps
    c1 = [
        0.0,
        eps * ((6.0 - e2) * e2 - 16.0) / 32,
        e2 * ((-9.0 * e2 + 64.0) * e2 - 128.0) / 2048,
        d3 * (9.0 * e2 - 16.0) / 768,
        d4 * (3.0 * e2 - 5.0) / 512,
        d5 * -7.0 / 1280,
        d5 * eps * -7.0 / 2048,
    ]
    return (a1 + eps) / (1 - eps), c1


def _a2m1_c2(eps: float) -> tuple[float, list[float]]:
    """Geodesic._A2m1f(eps) and _C2f(eps, c), unrolled."""
    e2 = eps * eps
    a2 = ((-11.0 * e2 - 28.0) * e2 - 192.0) * e2 + 0.0
    d3 = e2 * eps
    d4 = d3 * eps
    d5 = d4 * eps
    c2 = [
        0.0,
        eps * ((e2 + 2.0) * e2 + 16.0) / 32,
        e2 * ((35.0 * e2 + 64.0) * e2 + 384.0) / 2048,
        d3 * (15.0 * e2 + 80.0) / 768,
        d4 * (7.0 * e2 + 35.0) / 512,
        d5 * 63.0 / 1280,
        d5 * eps * 77.0 / 2048,
    ]
    return (a2 / 256 - eps) / (1 + eps), c2


def _astroid(x: float, y: float) -> float:
    """Geodesic._Astroid, verbatim."""
    p = x * x
    q = y * y
    r = (p + q - 1) / 6
    if not (q == 0 and r <= 0):
        ss = p * q / 4
        r2 = r * r
        r3 = r * r2
        disc = ss * (ss + 2 * r3)
        u = r
        if disc >= 0:
            t3 = ss + r3
            t3 += -sqrt(disc) if t3 < 0 else sqrt(disc)
            tt = copysign(math.pow(abs(t3), 1 / 3.0), t3)  # Math.cbrt
            u += tt + (r2 / tt if tt != 0 else 0)
        else:
            ang = atan2(sqrt(-disc), -(ss + r3))
            u += 2 * r * cos(ang / 3)
        v = sqrt(u * u + q)
        uv = q / (v - u) if u < 0 else u + v
        w = (uv - q) / (2 * v)
        k = uv / (sqrt(uv + w * w) + w)
    else:
        k = 0
    return k


def _meridian(
    sbet1: float, cbet1: float, dn1: float, sbet2: float, cbet2: float, dn2: float, clam12: float
) -> float | None:
    """The ``if meridian:`` block; returns s12 in km, or None if not meridional."""
    ssig1 = sbet1
    csig1 = clam12 * cbet1  # calp1 = clam12
    ssig2 = sbet2
    csig2 = 1.0 * cbet2  # calp2 = 1.0
    t = csig1 * ssig2 - ssig1 * csig2
    # max(0.0, t) + 0.0: the "+ 0.0" is a no-op as the result is never -0.0
    sig12 = atan2(max(0.0, t), csig1 * csig2 + ssig1 * ssig2)
    # _Lengths(n, ..., DISTANCE | REDUCEDLENGTH)
    b1 = _sincos_series6(ssig2, csig2, _MC1) - _sincos_series6(ssig1, csig1, _MC1)
    s12x = _MA1 * (sig12 + b1)
    b2 = _sincos_series6(ssig2, csig2, _MC2) - _sincos_series6(ssig1, csig1, _MC2)
    j12 = _MM0X * sig12 + (_MA1 * b1 - _MA2 * b2)
    m12x = dn2 * (csig1 * ssig2) - dn1 * (ssig1 * csig2) - csig1 * csig2 * j12
    if sig12 < _TOL2 or m12x >= 0:
        if sig12 < _TINY3 or (sig12 < _TOL0 and (s12x < 0 or m12x < 0)):
            return 0.0
        return 0.0 + s12x * _B
    return None  # m12 < 0: too close to antipodal, not a shortest path


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres on WGS84, == geographiclib (km) * 1000."""
    # Math.LatFix: out of range (or NaN) latitude gives a NaN distance.
    if not (abs(lat1) <= 90 and abs(lat2) <= 90):
        return nan
    try:  # +-inf longitude raises in remainder, NaN in round: geographiclib gives NaN
        # --- lon12, lon12s = Math.AngDiff(lon1, lon2)
        u = remainder(-lon1, 360)
        v = remainder(lon2, 360)
        d = u + v
        up = d - v
        vpp = d - up
        up -= u
        vpp -= v
        t = d if d == 0 else 0.0 - (up + vpp)
        u = remainder(d, 360)
        d = u + t
        up = d - t
        vpp = d - up
        up -= u
        vpp -= t
        lon12s = d if d == 0 else 0.0 - (up + vpp)
        if d == 0 or abs(d) == 180:
            d = copysign(d, lon2 - lon1 if lon12s == 0 else -lon12s)
        lonsign = copysign(1.0, d)
        lon12 = lonsign * d
        lon12s = lonsign * lon12s
        # --- slam12, clam12 = Math.sincosde(lon12, lon12s), lon12 in [0, 180]
        q = round(lon12 / 90)
    except ValueError:
        return nan
    lam12 = radians(lon12)
    w = lon12 - 90 * q + lon12s
    y = abs(w)
    if y < 0.0625:  # Math.AngRound (it is the identity for |w| >= 1/16)
        w = copysign(0.0625 - (0.0625 - y), w)
    r = radians(w)
    if q == 0:
        slam12 = sin(r)
        clam12 = cos(r) + 0.0
    elif q == 1:
        slam12 = cos(r)
        clam12 = -sin(r) + 0.0
    else:
        slam12 = -sin(r)
        clam12 = -cos(r) + 0.0
    if slam12 == 0:
        slam12 = copysign(slam12, lon12)
    lon12s = (180 - lon12) - lon12s

    # --- Math.AngRound of the latitudes; a result of exactly 0 only comes from here.
    y = abs(lat1)
    if y < 0.0625:
        lat1 = copysign(0.0625 - (0.0625 - y), lat1)
    y = abs(lat2)
    if y < 0.0625:
        lat2 = copysign(0.0625 - (0.0625 - y), lat2)
    if abs(lat1) < abs(lat2):  # swapp (only matters for azimuths otherwise)
        lat1, lat2 = lat2, lat1
    latsign = copysign(1.0, -lat1)
    lat1 *= latsign
    lat2 *= latsign

    # --- Math.sincosd(lat1), lat1 in [-90, 0].  fmod(x, 360) == x here.  The final
    # "if s == 0: s = copysign(s, x)" is a no-op (sin keeps the sign of a zero
    # argument and AngRound leaves no tiny latitudes), as is "c + 0.0" when c > 0.
    q = round(lat1 / 90)
    if q == 0:
        r = radians(lat1)
        sbet1 = sin(r)
        cbet1 = cos(r)
    else:  # q == -1; "r - 90 * q"
        r = radians(lat1 - -90)
        sbet1 = -cos(r)
        cbet1 = sin(r)  # r >= +0, so never -0.0
    sbet1 *= _F1
    r = hypot(sbet1, cbet1)  # Math.norm
    sbet1 = sbet1 / r
    cbet1 = cbet1 / r
    if not cbet1 > _TINY:  # cbet1 = max(tiny, cbet1)
        cbet1 = _TINY
    # --- Math.sincosd(lat2), lat2 in [lat1, -lat1]
    q = round(lat2 / 90)
    if q == 0:
        r = radians(lat2)
        sbet2 = sin(r)
        cbet2 = cos(r)
    elif q == 1:
        r = radians(lat2 - 90)
        sbet2 = cos(r)
        cbet2 = -sin(r) + 0.0
    else:
        r = radians(lat2 - -90)
        sbet2 = -cos(r)
        cbet2 = sin(r)
    sbet2 *= _F1
    r = hypot(sbet2, cbet2)
    sbet2 = sbet2 / r
    cbet2 = cbet2 / r
    if not cbet2 > _TINY:
        cbet2 = _TINY

    if cbet1 < -sbet1:
        if cbet2 == cbet1:
            sbet2 = copysign(sbet1, sbet2)
    elif abs(sbet2) == -sbet1:
        cbet2 = cbet1

    dn1 = sqrt(1 + _EP2 * (sbet1 * sbet1))
    dn2 = sqrt(1 + _EP2 * (sbet2 * sbet2))

    if lat1 == -90 or slam12 == 0:
        s12 = _meridian(sbet1, cbet1, dn1, sbet2, cbet2, dn2, clam12)
        if s12 is not None:
            return s12 * 1000

    if sbet1 == 0 and lon12s >= _F180:
        # Geodesic runs along equator
        return (0.0 + _A * lam12) * 1000

    # --- _InverseStart
    sbet12 = sbet2 * cbet1 - cbet2 * sbet1
    cbet12 = cbet2 * cbet1 + sbet2 * sbet1
    sbet12a = sbet2 * cbet1
    sbet12a += cbet2 * sbet1
    shortline = cbet12 >= 0 and sbet12 < 0.5 and cbet2 * lam12 < 0.5
    if shortline:
        t = sbet1 + sbet2
        sbetm2 = t * t
        t = cbet1 + cbet2
        sbetm2 /= sbetm2 + t * t
        dnm = sqrt(1 + _EP2 * sbetm2)
        omg12 = lam12 / (_F1 * dnm)
        somg12 = sin(omg12)
        comg12 = cos(omg12)
    else:
        somg12 = slam12
        comg12 = clam12
    salp1 = cbet2 * somg12
    if comg12 >= 0:
        calp1 = sbet12 + cbet2 * sbet1 * (somg12 * somg12) / (1 + comg12)
    else:
        calp1 = sbet12a - cbet2 * sbet1 * (somg12 * somg12) / (1 - comg12)
    ssig12 = hypot(salp1, calp1)
    csig12 = sbet1 * sbet2 + cbet1 * cbet2 * comg12
    if shortline and ssig12 < _ETOL2:
        # really short lines
        return (0.0 + atan2(ssig12, csig12) * _B * dnm) * 1000
    # (the "abs(n) >= 0.1" test of geographiclib is always False for WGS84)
    if not (csig12 >= 0 or ssig12 >= _ASTR * (cbet1 * cbet1)):
        # Nearly antipodal: scale to the astroid problem (f > 0 branch).
        lam12x = atan2(-slam12, -clam12)
        k2 = (sbet1 * sbet1) * _EP2
        eps = k2 / (2 * (1 + sqrt(1 + k2)) + k2)
        lamscale = (
            _F
            * cbet1
            * (((((_A3x0 * eps + _A3x1) * eps + _A3x2) * eps + _A3x3) * eps + _A3x4) * eps + _A3x5)
            * pi
        )
        betscale = lamscale * cbet1
        x = lam12x / lamscale
        y = sbet12a / betscale
        if y > _NTOL1 and x > _XLIM:
            # strip near cut
            salp1 = min(1.0, -x)
            calp1 = -sqrt(1 - salp1 * salp1)
        else:
            k = _astroid(x, y)
            omg12a = lamscale * (-x * k / (1 + k))
            somg12 = sin(omg12a)
            comg12 = -cos(omg12a)
            salp1 = cbet2 * somg12
            calp1 = sbet12a - cbet2 * sbet1 * (somg12 * somg12) / (1 - comg12)
    if not (salp1 <= 0):
        r = hypot(salp1, calp1)
        salp1 = salp1 / r
        calp1 = calp1 / r
    else:
        salp1 = 1.0
        calp1 = 0.0

    # --- Newton's method with bisection fallback.  _Lambda12 is inlined; the loop
    # invariant parts of its calp2 formula are hoisted.
    numit = 0
    tripn = tripb = False
    salp1a = _TINY
    calp1a = 1.0
    salp1b = _TINY
    calp1b = -1.0
    nosym = cbet2 != cbet1 or abs(sbet2) != -sbet1
    dsq = (cbet2 - cbet1) * (cbet1 + cbet2) if cbet1 < -sbet1 else (sbet1 - sbet2) * (sbet1 + sbet2)
    eqtr = sbet1 == 0
    while True:
        # --- _Lambda12 (salp2 and domg12's other uses are not needed)
        c1 = -_TINY if eqtr and calp1 == 0 else calp1
        salp0 = salp1 * cbet1
        calp0 = hypot(c1, salp1 * sbet1)
        somg1 = salp0 * sbet1
        comg1 = c1 * cbet1
        r = hypot(sbet1, comg1)
        ssig1 = sbet1 / r
        csig1 = comg1 / r
        calp2 = sqrt(comg1 * comg1 + dsq) / cbet2 if nosym else abs(c1)
        somg2 = salp0 * sbet2
        comg2 = calp2 * cbet2
        r = hypot(sbet2, comg2)
        ssig2 = sbet2 / r
        csig2 = comg2 / r
        t = csig1 * ssig2 - ssig1 * csig2
        # max(0.0, t) + 0.0, written out (same result, cheaper than builtin max);
        # "+ 0.0" is a no-op as the value is never -0.0.
        if not t > 0.0:
            t = 0.0
        sig12 = atan2(t, csig1 * csig2 + ssig1 * ssig2)
        somg12 = comg1 * somg2 - somg1 * comg2
        if not somg12 > 0.0:
            somg12 = 0.0
        comg12 = comg1 * comg2 + somg1 * somg2
        eta = atan2(somg12 * clam12 - comg12 * slam12, comg12 * clam12 + somg12 * slam12)
        k2 = (calp0 * calp0) * _EP2
        eps = k2 / (2 * (1 + sqrt(1 + k2)) + k2)
        # _C3f (mult starts as 1 * eps == eps)
        c31 = eps * ((((_C3x0 * eps + _C3x1) * eps + _C3x2) * eps + _C3x3) * eps + _C3x4)
        m = eps * eps
        c32 = m * (((_C3x5 * eps + _C3x6) * eps + _C3x7) * eps + _C3x8)
        m *= eps
        c33 = m * ((_C3x9 * eps + _C3x10) * eps + _C3x11)
        m *= eps
        c34 = m * (_C3x12 * eps + _C3x13)
        m *= eps
        c35 = m * _C3x14
        c3 = (c31, c32, c33, c34, c35)
        b312 = _sincos_series5(ssig2, csig2, c3) - _sincos_series5(ssig1, csig1, c3)
        v = eta + _NEG_F * (
            ((((_A3x0 * eps + _A3x1) * eps + _A3x2) * eps + _A3x3) * eps + _A3x4) * eps + _A3x5
        ) * salp0 * (sig12 + b312)
        # Reversed test to allow escape with NaNs
        if tripb or not (abs(v) >= (_TOL8 if tripn else _TOL0)) or numit == _MAXIT2:
            break
        if v > 0 and (numit > _MAXIT1 or calp1 / salp1 > calp1b / salp1b):
            salp1b = salp1
            calp1b = calp1
        elif v < 0 and (numit > _MAXIT1 or calp1 / salp1 < calp1a / salp1a):
            salp1a = salp1
            calp1a = calp1
        numit += 1
        if numit < _MAXIT1:
            # dv = dlam12 of _Lambda12 (diffp was True); computed only now because
            # it is unused on the iteration that breaks out.
            if calp2 == 0:
                dv = _M2F1 * dn1 / sbet1
            else:
                # _Lengths(eps, ..., REDUCEDLENGTH)
                a1, c1 = _a1m1_c1(eps)
                a2, c2 = _a2m1_c2(eps)
                m0x = a1 - a2
                a2 = 1 + a2
                a1 = 1 + a1
                for order in range(1, 6):  # C2a[6] stays as it is
                    c2[order] = a1 * c1[order] - a2 * c2[order]
                j12 = m0x * sig12 + (
                    _sincos_series6(ssig2, csig2, c2) - _sincos_series6(ssig1, csig1, c2)
                )
                dv = (dn2 * (csig1 * ssig2) - dn1 * (ssig1 * csig2) - csig1 * csig2 * j12) * (
                    _F1 / (calp2 * cbet2)
                )
            if dv > 0:
                dalp1 = -v / dv
                if abs(dalp1) < pi:
                    sdalp1 = sin(dalp1)
                    cdalp1 = cos(dalp1)
                    nsalp1 = salp1 * cdalp1 + calp1 * sdalp1
                    if nsalp1 > 0:
                        calp1 = calp1 * cdalp1 - salp1 * sdalp1
                        r = hypot(nsalp1, calp1)
                        salp1 = nsalp1 / r
                        calp1 = calp1 / r
                        # In some regimes we don't get quadratic convergence
                        tripn = abs(v) <= _TOL16
                        continue
        # Bisection: midpoint of the bracket
        salp1 = (salp1a + salp1b) / 2
        calp1 = (calp1a + calp1b) / 2
        r = hypot(salp1, calp1)
        salp1 = salp1 / r
        calp1 = calp1 / r
        tripn = False
        tripb = (
            abs(salp1a - salp1) + (calp1a - calp1) < _TOLB
            or abs(salp1 - salp1b) + (calp1 - calp1b) < _TOLB
        )

    # --- _Lengths(eps, ..., DISTANCE) with the eps, sig12, ... of the last iteration
    a1, c1 = _a1m1_c1(eps)
    b1 = _sincos_series6(ssig2, csig2, c1) - _sincos_series6(ssig1, csig1, c1)
    return (0.0 + (1 + a1) * (sig12 + b1) * _B) * 1000
