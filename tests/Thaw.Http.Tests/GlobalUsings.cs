global using System.Globalization;
global using System.Net;
global using System.Text;
global using System.Text.Json;
global using Microsoft.Extensions.Configuration;
global using Microsoft.Extensions.DependencyInjection;
