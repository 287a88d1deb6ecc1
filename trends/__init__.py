"""Trends and early warning (研判预警, CONTRACT §7) over the dispute register.

- :mod:`trends.counts`: weekly and monthly counts per region level × dispute type, with
  period-on-period and year-on-year change (one SQL ``GROUP BY``);
- :mod:`trends.alert_store`: alerts raised (never twice for one key) and coordinators'
  acknowledgements, in the register's database (migration 0005);
- :mod:`trends.monitor`: the surge methods (``alerts.surveillance``) over the counts and
  the rule alerts (``alerts.rules``) over the records, as of a date, stored;
- :mod:`trends.desk`: all of it for one caller, within the caller's scope;
- :mod:`trends.report`: the 矛盾纠纷分析研判报告 (charts from :mod:`trends.charts`).

The statistics themselves live in ``alerts/`` (pure functions); this package reads the
register and writes alerts.
"""
