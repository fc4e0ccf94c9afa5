using Mirrord.Webhook.Hosting;

await WebhookApplication.Build(args).RunAsync();
