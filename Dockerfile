# Switchboard in a container (docs/install.md): a Debian 12 stage builds the .deb (make package),
# a debian:12-slim stage installs it with its dependencies and runs `switchboard service` as an
# unprivileged user. scripts/check-docker-image.sh checks a built image; what was built where, and
# what could not be, is in docs/install.md ("Built on the development machine").

FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake make pkg-config dpkg-dev file \
      libboost-dev libboost-system-dev libssl-dev libsimdjson-dev nlohmann-json3-dev \
      libmsgpack-cxx-dev libhiredis-dev liburing-dev libspdlog-dev libfmt-dev libcli11-dev \
      libgtest-dev libgmock-dev nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The dashboard embeds the @microsoft/signalr browser client that npm installs.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY CMakeLists.txt README.md ./
COPY cmake cmake
COPY deploy deploy
COPY docs docs
COPY examples examples
COPY include include
COPY src src
COPY tests/unit tests/unit
COPY workers workers
# CMAKE_SKIP_INSTALL_ALL_DEPENDENCY: cpack installs what is built (the executable) instead of first
# building every target (the unit tests, the C++ examples) as its `preinstall` step would.
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON \
 && cmake --build build -j"$(nproc)" --target switchboard \
 && cd build && cpack -G DEB

FROM debian:12-slim
# JavaScript and Python apps run as they are; Java and C# apps need their compilers and runtimes,
# which are large: pass them by name (docs/install.md lists them), e.g.
#   --build-arg LANGUAGE_RUNTIMES="openjdk-17-jdk-headless libjackson2-databind-java mono-mcs mono-runtime"
ARG LANGUAGE_RUNTIMES=""
COPY --from=build /src/build/switchboard_*.deb /tmp/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      /tmp/switchboard_*.deb nodejs python3 curl ca-certificates ${LANGUAGE_RUNTIMES} \
 && rm -rf /var/lib/apt/lists/* /tmp/switchboard_*.deb \
 && useradd --system --no-create-home --shell /usr/sbin/nologin switchboard
USER switchboard
WORKDIR /tmp
ENV SWITCHBOARD_BIND=0.0.0.0
# 8888: the SignalR service (client endpoint, REST API); 7071: the functions host of `start`.
EXPOSE 8888 7071
# The service's port: SWITCHBOARD_PORT when the container is given one (`service`), else 8888.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD curl -fsS "http://127.0.0.1:${SWITCHBOARD_PORT:-8888}/api/health" || exit 1
ENTRYPOINT ["switchboard"]
CMD ["service"]
