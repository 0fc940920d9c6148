# syntax=docker/dockerfile:1
#
# otpd in a container: a static binary on distroless, as a non-root user,
# with its data (SQLite, the server secret, the DKIM key) in the /data
# volume.
#
#   docker build -t otpd .
#   docker run -d --name otpd -p 8080:8080 -v otpd-data:/data \
#       -e OTPD_PUBLIC_URL=https://login.example.com \
#       -e OTPD_SMTP_URL=smtp://user:password@smtp.example.com:587 \
#       -e 'OTPD_MAIL_FROM=Example Accounts <accounts@example.com>' otpd
#
# Build from a git clone: the .git directory in the context lets the Go
# toolchain record the commit, which "otpd version" and /metrics report.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# The modules first, so that a change to the code does not download them
# again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: a static binary (SQLite is modernc.org/sqlite, pure Go),
# which needs no libc in the image. /out/data becomes the volume's mount
# point, owned by the user that runs otpd.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=auto -o /out/otpd ./cmd/otpd \
    && /out/otpd version \
    && mkdir -p /out/data

# static-debian12 holds CA certificates (for SMTP over TLS) and time zones,
# and no shell; :nonroot runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/otpd /usr/local/bin/otpd
COPY --from=build --chown=65532:65532 /out/data /data
# Every command (serve, migrate, backup, restore, healthcheck) reads the
# same settings, so /data is the data directory for all of them, and the
# server listens on every interface of the container. OTPD_PUBLIC_URL must
# be given: otpd refuses to guess the origin of its links on 0.0.0.0.
ENV OTPD_DATA_DIR=/data \
    OTPD_LISTEN=0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
# No curl in the image: the binary asks the server itself
# (GET /healthz on loopback, exit 0 on 200): whether the process is up, not
# whether the database is, so a database away does not restart it.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/otpd", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/otpd"]
CMD ["serve"]
