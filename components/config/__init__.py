"""The stack config: shared field types (`fields`), error formatting (`errors`) and the root model
that composes every concern's models (`platform`). Each concern keeps its own models in its
package's `config.py`; `platform` is the only module that reads Pulumi config."""
