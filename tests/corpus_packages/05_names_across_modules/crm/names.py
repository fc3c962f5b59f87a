CONTACTS = "contacts"
DEFAULT_PARTY = "person"
