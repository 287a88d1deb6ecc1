"""Trends and early warning (研判预警, CONTRACT §7): surge detection and rule alerts.

- :mod:`alerts.surveillance` judges one region × type count series (EARS C1–C3,
  a seasonal quasi-Poisson model in the Farrington family, and on it the
  default: a likelihood-ratio test of this period and the last two together);
- :mod:`alerts.rules` raises group, repeat, escalation and overdue alerts over
  dispute records;
- :mod:`alerts.model` is the alert every source produces, with its dedupe key.

Pure functions over plain data: no database, store or web framework here.
"""
