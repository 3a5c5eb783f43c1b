"""The CrossGuard policy pack (a package only so that tests and type checks can import `policies.rules`)."""
