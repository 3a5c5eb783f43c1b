"""The readings recorded in the extract, each anchored to the code it describes (see `review.py`).

Read at vllm-project/vllm cc7981599eac6d6ed6d08c07f9ec47d771969712 (the LKG of tpu-inference
c539adc, the default image's build). `{key}` in a text becomes `file:line` of that anchor.
"""

from __future__ import annotations

from tools.vllm_release.review import Anchor

REVIEWED_COMMIT = "cc7981599eac6d6ed6d08c07f9ec47d771969712"

_ARGS = "vllm/engine/arg_utils.py"
_CORE = "vllm/v1/engine/core.py"
_LAUNCHER = "vllm/entrypoints/launcher.py"
_SERVE = "vllm/entrypoints/cli/serve.py"
_ASYNC = "vllm/v1/engine/async_llm.py"
_SERVER_UTILS = "vllm/entrypoints/serve/utils/server_utils.py"
_PARSER = "vllm/utils/argparse_utils.py"

ANCHORS = (
    # the argparse builder that hints.py ports
    Anchor("argparse_compute_kwargs", _ARGS, "_compute_kwargs"),
    Anchor("argparse_literal", _ARGS, "literal_to_kwargs"),
    Anchor("argparse_collection", _ARGS, "collection_to_kwargs"),
    Anchor("argparse_type_hints", _ARGS, "get_type_hints"),
    Anchor("argparse_frontend", "vllm/entrypoints/openai/cli_args.py", "BaseFrontendArgs.add_cli_args"),
    # shutdown
    Anchor("shutdown_flag", _ARGS, "EngineArgs.add_cli_args", "'--shutdown-timeout'"),
    Anchor("shutdown_field", "vllm/config/vllm.py", "VllmConfig", "shutdown_timeout: int"),
    Anchor("api_signal", _LAUNCHER, "serve_http.signal_handler"),
    Anchor("api_drain", _LAUNCHER, "serve_http.handle_shutdown"),
    Anchor("process_shutdown", "vllm/v1/utils.py", "shutdown"),
    Anchor("engine_signal", _CORE, "EngineCoreProc.run_engine_core.signal_handler"),
    Anchor("engine_drain", _CORE, "EngineCoreProc._handle_shutdown"),
    Anchor("engine_reject", _CORE, "EngineCoreProc._reject_add_in_shutdown"),
    Anchor("health_route", "vllm/entrypoints/serve/instrumentator/health.py", "health"),
    Anchor("health_check", _ASYNC, "AsyncLLM.check_health"),
    Anchor("engine_errored", _ASYNC, "AsyncLLM.errored"),
    Anchor("headless_wait", _SERVE, "run_headless", "vllm_config.shutdown_timeout"),
    Anchor("multi_api_wait", _SERVE, "run_multi_api_server", "vllm_config.shutdown_timeout"),
    # API keys
    Anchor("api_key_field", "vllm/entrypoints/openai/cli_args.py", "FrontendArgs", "api_key:"),
    Anchor("api_key_tokens", "vllm/entrypoints/openai/api_server.py", "build_app", "envs.VLLM_API_KEY"),
    Anchor("api_key_env", "vllm/envs.py", "", "os.environ.get('VLLM_API_KEY', None)", "expr"),
    Anchor("auth_middleware", _SERVER_UTILS, "AuthenticationMiddleware"),
    Anchor("auth_prefixes", _SERVER_UTILS, "", "GUARDED_PREFIX = "),
    Anchor("parser_duplicates", _PARSER, "FlexibleArgumentParser.parse_args", "Found duplicate keys"),
    Anchor("parser_model_flag", _PARSER, "FlexibleArgumentParser.parse_args", "except StopIteration"),
)

NOTES = {
    "shutdown": (
        "`--shutdown-timeout` is an int, default 0 ({shutdown_flag}); VllmConfig.shutdown_timeout "
        "requires >= 0 ({shutdown_field}). SIGTERM (or SIGINT) to the `vllm serve` API server sets a "
        "shutdown event ({api_signal}); its handler reads shutdown_timeout, logs mode=abort for 0 and "
        "mode=drain otherwise, and calls the engine client's shutdown(timeout) before it tells uvicorn to "
        "exit ({api_drain}), so the HTTP listener stays open for the whole drain. The engine processes get "
        "SIGTERM and are waited for up to the timeout, then their process trees are killed; 0 kills them "
        "at once after the SIGTERM ({process_shutdown}). In the engine core SIGTERM marks shutdown requested "
        "({engine_signal}); with 0 every unfinished request is aborted (FINISHED_ABORTED), with N > 0 the "
        "engine keeps stepping until no request is left ({engine_drain}), and a request added after the "
        "signal is aborted at once ({engine_reject}). So in-flight requests drain only with N > 0 and "
        "only for N seconds, and new requests are refused, not served. /health answers 200 unless "
        "check_health raises EngineDeadError ({health_route}); check_health raises only when the engine "
        "is dead or its output handler has stopped ({health_check}, {engine_errored}), neither of which "
        "happens while draining: /health stays 200 for the whole drain (503 at most in the moment between "
        "the engine client stopping and the server exiting), so it cannot tell a load balancer to stop "
        "sending; a preStop delay and the endpoint's removal on termination must. "
        "Headless and multi-API-server modes wait up to the same timeout for their processes "
        "({headless_wait}, {multi_api_wait})."
    ),
    "api_key": (
        "`--api-key` is list[str] | None ({api_key_field}), which vLLM's builder turns into nargs='+' "
        "({argparse_collection}): several keys follow one flag (`--api-key k1 k2 k3`). A repeated "
        "`--api-key` flag replaces the earlier values (argparse's store action); vLLM's parser only logs "
        "'Found duplicate keys' ({parser_duplicates}). VLLM_API_KEY is read as one string, not split "
        "({api_key_env}), and is used only when no --api-key is given; empty keys are dropped "
        "({api_key_tokens}). The middleware accepts `Authorization: Bearer <key>` matching any key (sha256 "
        "digests compared in constant time) and guards only paths under the prefixes in "
        "{auth_prefixes}; /health and /metrics stay open ({auth_middleware})."
    ),
    "model_flag": (
        "`vllm serve --model X` still works but logs that `--model` will be removed and moves X to the "
        "positional model_tag ({parser_model_flag}); `vllm serve X` is the supported form."
    ),
}

# ast.unparse digests of each anchor at REVIEWED_COMMIT (tools.vllm_release.review.digest).
REVIEWED: dict[str, str] = {
    "argparse_compute_kwargs": "8ba991227f938eb9",
    "argparse_literal": "65edd4e560e694d3",
    "argparse_collection": "e6e2fcd26a3b45e6",
    "argparse_type_hints": "c78d2b6226468d33",
    "argparse_frontend": "bdcc3853222b46e9",
    "shutdown_flag": "a9f4e84ced322d92",
    "shutdown_field": "53e146a4460a375d",
    "api_signal": "35a4a4355b708724",
    "api_drain": "5ff568b8a4170866",
    "process_shutdown": "71001e4031a9f7eb",
    "engine_signal": "1adf30044073b2dd",
    "engine_drain": "b9fc6363de464059",
    "engine_reject": "8e64a87d0fd85b08",
    "health_route": "00a242efd8ff59e5",
    "health_check": "16076ed774ff36de",
    "engine_errored": "8371c4fdb5b7930c",
    "headless_wait": "52243e08f1e3926e",
    "multi_api_wait": "52243e08f1e3926e",
    "api_key_field": "f67297501e3cda69",
    "api_key_tokens": "ea2d1254d604044f",
    "api_key_env": "554008f6ec682411",
    "auth_middleware": "045789dd6b9ae7c8",
    "auth_prefixes": "d9dfed7823ea1132",
    "parser_duplicates": "ccd155e1df18458a",
    "parser_model_flag": "fe75bc8ed4330e76",
}
