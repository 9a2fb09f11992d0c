"""Data rights (PIPA / GDPR): consent, withdrawal, export, staff access to users' photos."""
