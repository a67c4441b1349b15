# TaskLens server image: the dashboard's browser packages from npm, an SDK build stage, an ASP.NET runtime stage that
# runs as the image's non-root `app` user. `docker build -t tasklens .` builds the server (the default target);
# `--target agentsim` builds the AgentSim load generator that docker-compose.yml runs under its `demo` profile.
# docs/operations.md, "Packaging", says what the image expects (ClickHouse URL, keys, the /var/lib/tasklens volume).

# The dashboard's browser packages, pinned by web/TaskLens.Web/package-lock.json (what ./build.sh does with npm ci).
FROM node:22-bookworm-slim AS web-assets
WORKDIR /web
COPY web/TaskLens.Web/package.json web/TaskLens.Web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# nuget.config names a machine-local package folder besides nuget.org; an empty one keeps restore quiet here.
RUN mkdir -p /opt/nuget/packages
COPY . .
COPY --from=web-assets /web/node_modules/uplot/dist/uPlot.iife.min.js /web/node_modules/uplot/dist/uPlot.min.css \
     web/TaskLens.Web/wwwroot/lib/uplot/
RUN dotnet publish src/TaskLens.Server -c Release -o /out/server -nologo \
 && dotnet publish collectors/TaskLens.AgentSim -c Release -o /out/agentsim -nologo

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS agentsim
WORKDIR /app
COPY --from=build /out/agentsim .
USER $APP_UID
ENTRYPOINT ["dotnet", "TaskLens.AgentSim.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS server
WORKDIR /app
COPY --from=build /out/server .
# The spool (acknowledged exports not yet in ClickHouse) and the app-state database must outlive the container.
RUN mkdir -p /var/lib/tasklens && chown "$APP_UID" /var/lib/tasklens
VOLUME /var/lib/tasklens
ENV TaskLens__Server__ListenAddress=0.0.0.0 \
    TaskLens__Spool__Path=/var/lib/tasklens/spool \
    TaskLens__State__Path=/var/lib/tasklens/state.db \
    DOTNET_GCgen0size=0x4000000
EXPOSE 4317 4318 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "TaskLens.Server.dll"]
