"""The channel adapters (the `Sender` port of gridgov.notify.ports): SMTP, a generic HTTP SMS gateway, Aliyun's
SMS API (dysmsapi, RPC signature), WeChat 订阅消息. The in-app inbox needs none: a row is its delivery."""
