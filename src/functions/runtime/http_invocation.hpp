// The binding steps of an httpTrigger invocation, each on its own: the caller's identity (App
// Service principal headers from a verified bearer token), the trigger's value and binding data
// from the request (as the custom-handler protocol writes them), and the answer from the
// function's http output.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "auth/identity_token.hpp"
#include "functions/app_config.hpp"
#include "functions/binding_expression.hpp"
#include "functions/runtime/invoker.hpp"
#include "net/http_types.hpp"
#include "util/url.hpp"

namespace switchboard::functions {

// Removes the principal headers a client sent (never trusted from outside), then, when identity
// checks are configured and the request has a bearer token, verifies it and sets them from its
// claims. Returns the reason when the token is invalid (the caller answers 401).
std::optional<std::string> apply_identity(net::Request& request,
                                          const auth::IdentitySettings& identity, std::int64_t now);

struct HttpTriggerInput {
  BindingData data;         // headers, query, route parameters, JSON body for binding expressions
  nlohmann::json request;   // {Url, Method, Query, Headers, Params, Body, Identities}
  nlohmann::json metadata;  // {headers, query, sys, <route parameters>}
};

// `base_url`: the scheme and authority of the Url the function sees ("http://localhost:7071").
HttpTriggerInput http_trigger_input(const net::Request& request, const util::Target& target,
                                    const std::map<std::string, std::string>& params,
                                    const std::string& base_url, const FunctionSpec& function,
                                    const std::string& invocation_id);

// The answer made from the function's http output binding (an empty 204 without one). Throws
// InvocationError (500) when the value is not a valid HTTP response.
net::Response http_answer(const FunctionSpec& function, const InvocationResult& result);

// The value the function gave an output binding (`$return`: its return value); null when none.
nlohmann::json output_value(const InvocationResult& result, const std::string& binding_name);

}  // namespace switchboard::functions
