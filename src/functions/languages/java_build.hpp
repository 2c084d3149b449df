// Building a Java app (Maven layout: src/main/java/**/*.java) for the Java worker: javac compiles
// the app's sources with the worker's library (workers/java/src) into a cache folder keyed by the
// content of both (<root>/.switchboard/java/<hash>/classes), and the worker's describe mode turns
// the @FunctionName methods into function.json documents (kept in the same folder).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace switchboard::functions {

// The Jackson jars (Debian's libjackson2-databind-java) the worker reads and writes JSON with.
std::vector<std::filesystem::path> jackson_jars();

// The classpath of the worker for an app compiled into `classes`.
std::string java_classpath(const std::filesystem::path& classes);

// The .java files under <root>/src/main/java, sorted; empty when there are none.
std::vector<std::filesystem::path> java_sources(const std::filesystem::path& root);

struct JavaBuild {
  std::filesystem::path classes;                    // the compiled app + library
  std::map<std::string, nlohmann::json> functions;  // name -> function.json (scriptFile: classes)
};

// Compiles and describes the app at `root` (absolute), or finds both in the cache. Throws AppError
// with javac's messages (file and line) when the sources do not compile, with the worker's message
// naming the function when a declaration is wrong, or naming the missing Debian package.
JavaBuild build_java_app(const std::filesystem::path& root,
                         const std::filesystem::path& workers_dir);

}  // namespace switchboard::functions
