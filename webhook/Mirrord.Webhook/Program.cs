using Mirrord.Webhook.Hosting;

await WebhookApplication.RunAsync(args);
