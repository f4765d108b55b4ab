"""Oversight of the dispatched cadres: work reports (思想和工作汇报), spot checks (随机查岗),
the discipline ladder and training records."""
