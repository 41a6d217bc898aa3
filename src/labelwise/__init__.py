"""labelwise: open-source data labeling, from raw data to a versioned labeled dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Client", "__version__"]

if TYPE_CHECKING:
    from labelwise.client import Client


def __getattr__(name: str) -> Any:
    # The SDK is imported on first use so that `import labelwise` stays light.
    if name == "Client":
        from labelwise.client import Client

        return Client
    raise AttributeError(f"module 'labelwise' has no attribute {name!r}")
