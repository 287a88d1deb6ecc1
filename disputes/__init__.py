"""The dispute register (纠纷登记): the system of record for disputes as they happen (CONTRACT §6)."""
