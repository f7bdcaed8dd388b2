global using Microsoft.Extensions.DependencyInjection;
global using System.Text;
