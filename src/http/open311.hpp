// Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) under /open311/v2/: services are the
// catalogue's 小类 (grouped by 大类), service requests are cases. Every endpoint answers in .json and
// .xml from one JSON document (Open311Xml names the elements as the specification does); errors
// come in the specification's form. Reads need no key and see what the public sees; POST
// requests needs an api_key and records the case with source `open311`. Contact fields land in
// the protected caller contact and never appear in a response.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/routes.hpp"

namespace jiesu::http {

// The Open311 routes (path templates ending in .{format}).
const std::vector<Route>& Open311Routes();

// Writes the specification's error document — JSON [{"code","description"}] or XML
// <errors><error>… — in the format the request path ends with (JSON when it ends with neither).
void WriteOpen311Error(httplib::Response& res, const Status& s, const std::string& path);

// An Open311 document as XML: `root` holds an array's items or an object's fields; array items are
// named by their array (services → service, service_requests → request, attributes → attribute,
// values → value, endpoints → endpoint, formats → format, errors → error); null is an empty
// element, booleans are true/false; text is escaped and stripped of characters XML 1.0 forbids.
std::string Open311Xml(const std::string& root, const nlohmann::ordered_json& doc);

}  // namespace jiesu::http
