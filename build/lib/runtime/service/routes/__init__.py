"""The service's endpoints, one module per group; each module has a `router` (`fastapi.APIRouter`)."""
