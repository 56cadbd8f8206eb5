"""Health data hosting (HDS): the list of certified hosts, name matching and providers.

The list comes either from the user data directory, where `rgpd-audit hds update` stores the
ANS list it downloaded, or from the partial snapshot shipped in `hds/data/hds_hosts.yaml`.
"""
