"""Personal data across features (个人信息保护法): a person's download of all that gridgov holds about them,
and the erasure of a reporter's identity. Sits above accounts, cases and campaigns and composes what each of
them offers for its own tables (accounts.privacy, cases.privacy, campaigns.privacy)."""
