# nginx as the reference proxy of the benchmarks (bench-proxy.sh, instr-proxy.sh): proxy_pass with
# upstream keep-alive, proxy_buffering off, one worker, logs off. Sourced, not run.
#   nginx_proxy_conf DIR PID_FILE PORT UPSTREAM_PORT [FOREGROUND] -> the configuration on stdout;
#   FOREGROUND=1: no daemon and no master process (one process, for valgrind).
nginx_proxy_conf() {
  local dir=$1 pid_file=$2 port=$3 upstream=$4 foreground=${5:-}
  [ -n "$foreground" ] && printf 'daemon off;\nmaster_process off;\n'
  cat <<CONF
worker_processes 1;
worker_rlimit_nofile 20000;
pid $pid_file;
error_log $dir/error.log error;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream backend { server 127.0.0.1:$upstream; keepalive 64; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
CONF
}
