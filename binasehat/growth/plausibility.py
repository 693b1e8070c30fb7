"""Plausibility of a child's measurements between visits: values that are possible but unlikely, shown as warnings
(never as errors) so that the person importing them looks at the paper register again. Pure functions: no Django,
no database.

The thresholds are this project's choices [P], each with its reasoning:

* **Length/height going backwards.** A child does not shrink. Length boards and microtoises are read to 0.1 cm, so two
  readings of the same child by two cadres can differ by a few tenths without anyone being wrong; a drop of more than
  ``LENGTH_DROP_TOLERANCE_CM`` (0.3 cm, three reading steps) is more than reading error. A drop of 0.5 cm
  (81.0 → 80.5 cm, the case reported by users) is flagged. Lengths are compared as recumbent length: WHO 2006 adds
  0.7 cm to a standing height (``rules.CORRECTION_CM``), so 81.0 cm lying at 23 months and 80.5 cm standing at
  25 months (81.2 cm as length) is not a drop. A blank measure is taken as WHO does: lying below 731 days.
* **Weight jumping.** The fastest normal weight gain is in the first month of life, about 1 kg (WHO weight velocity
  standards); a gain of more than ``WEIGHT_GAIN_KG_PER_30_DAYS`` (2 kg) per 30 days between visits (at least 2 kg,
  however short the interval) is twice that and almost always a typing error (10.4 written as 14.0). A loss of more
  than ``WEIGHT_LOSS_FRACTION`` (10 %) of the previous weight is either a serious illness that needs a visit or a
  typing error: both need a look.
* **Older than a balita at a posyandu weighing.** Balita are children aged 0–59 months (Permenkes 2/2020); a child
  60 months or older at a posyandu visit usually means a wrong birth date (a year typed wrong).
"""

from __future__ import annotations

import datetime as dt

from .rules import CORRECTION_CM, STANDING_FROM_DAY

LENGTH_DROP_TOLERANCE_CM = 0.3
WEIGHT_GAIN_KG_PER_30_DAYS = 2.0
WEIGHT_LOSS_FRACTION = 0.10
BALITA_LAST_MONTH = 59


def as_length(cm: float, measure: str, age_days: int) -> float:
    """A length or height as recumbent length (WHO 2006: standing height + 0.7 cm). ``measure``: "l" lying,
    "h" standing, "" unknown (lying below 731 days, as WHO assumes)."""
    standing = measure == "h" or (measure not in ("l", "h") and age_days >= STANDING_FROM_DAY)
    return cm + CORRECTION_CM if standing else cm


def length_drop(earlier: float, later: float) -> float | None:
    """How much shorter (cm) the later visit's length is than the earlier one's, when more than the tolerance;
    None otherwise. Both as recumbent length (``as_length``)."""
    drop = round(earlier - later, 2)
    return drop if drop > LENGTH_DROP_TOLERANCE_CM else None


def weight_jump(earlier_kg: float, later_kg: float, days: int) -> str | None:
    """"gain" when the weight rises more than 2 kg per 30 days (at least 2 kg), "loss" when it falls more than 10 %
    of the earlier weight, else None. ``days``: days between the two visits (> 0)."""
    change = later_kg - earlier_kg
    allowed_gain = WEIGHT_GAIN_KG_PER_30_DAYS * max(days, 30) / 30
    if change > allowed_gain + 1e-9:
        return "gain"
    if -change > WEIGHT_LOSS_FRACTION * earlier_kg + 1e-9:
        return "loss"
    return None


def completed_months(birth: dt.date, day: dt.date) -> int:
    """Age in completed calendar months (as a mother counts it: 1 June → 31 July is 1 month, → 1 August 2)."""
    months = (day.year - birth.year) * 12 + day.month - birth.month
    return months - 1 if day.day < birth.day else months


def older_than_balita(birth: dt.date, day: dt.date) -> bool:
    return completed_months(birth, day) > BALITA_LAST_MONTH
