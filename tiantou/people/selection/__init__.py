"""Selection batches (选派): quotas, applicants, the competitive defence (竞争答辩), the
decision (择优选派) and the published allocation (分配去向)."""
