using System.Text.Encodings.Web;
using BiasBounty.Web.Accounts;
using BiasBounty.Web.Hosting;
using BiasBounty.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BiasBounty.Web.Notifications;

public static class NotificationsExtensions
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<Notifier>();
        builder.Services.AddScoped<NotificationCentre>();
        return builder;
    }
}
