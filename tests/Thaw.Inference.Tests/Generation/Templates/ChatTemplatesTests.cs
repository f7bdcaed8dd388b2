using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Thaw.Inference.Generation.Templates;

namespace Thaw.Inference.Tests.Generation.Templates;

public sealed class ChatTemplatesTests
{
    // Just before midnight UTC: a template that read local time, or the wrong day, would show it.
    private static readonly DateTimeOffset Now = new(2026, 3, 7, 23, 59, 30, TimeSpan.Zero);

    private static readonly (string Name, ChatMessage[] Messages)[] Conversations =
    [
        ("user only", [User("Hello, how are you?")]),
        ("system and user", [System("You are terse."), User("What is 2+2?")]),
        ("multi-turn", [System("You are a pirate."), User("Hi"), Assistant("Arr, ahoy!"), User("Where is the treasure?")]),
        ("no system, multi-turn", [User("Hi"), Assistant("Hello!"), User("Tell me a joke.")]),
        ("whitespace to trim", [System("  Be brief.\n"), User("\t  spaced out  \n\n"), Assistant(" ok "), User("\r\nagain\u00a0")]),
        ("unicode and emoji", [User("Grüß dich! 😀 日本語のテキスト 👨‍👩‍👧‍👦"), Assistant("¡Hola! 🇫🇷")]),
        ("multi-line", [User("line one\nline two\n\nparagraph"), Assistant("a\n\nb")]),
        ("system in the middle", [User("Hi"), System("Switch to French."), User("Bonjour")]),
        ("empty system", [System(""), User("Hi")]),
        ("ends with the assistant", [User("Finish this: The quick brown"), Assistant("fox")]),
        ("only a system message", [System("You are a helpful assistant.")]),
        ("special-token text in content", [User("What does <|im_end|> or <|eot_id|> mean?")]),
    ];

    public static TheoryData<string> Formats => [.. ChatTemplates.Names];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Render_EveryConversation_MatchesTheModelFamilysRealJinjaTemplate(string format)
    {
        ChatTemplateFixture fixture = Assert.Single(ChatTemplateFixture.All, f => f.Format == format);
        IChatTemplate template = ChatTemplates.Get(format, new FakeTimeProvider(Now));
        var cases = Conversations.SelectMany(c => new[] { (c.Name, c.Messages, Prompt: true), (c.Name, c.Messages, Prompt: false) }).ToArray();

        string[] expected = await JinjaOracle.RenderAsync(fixture.Template, Now, cases.Select(c => new JsonObject
        {
            ["messages"] = new JsonArray([.. c.Messages.Select(m => new JsonObject { ["role"] = m.Role, ["content"] = m.Content[0].Text })]),
            ["add_generation_prompt"] = c.Prompt,
            ["bos_token"] = fixture.BosToken,
            ["eos_token"] = fixture.EosToken,
        }));

        for (int i = 0; i < cases.Length; i++)
        {
            string actual = template.Render(cases[i].Messages, cases[i].Prompt);
            Assert.True(expected[i] == actual,
                $"{format}, '{cases[i].Name}', add_generation_prompt={cases[i].Prompt}:\nJinja: {Escape(expected[i])}\nThaw:  {Escape(actual)}");
        }
    }

    [Fact]
    public void Names_EveryBuiltInTemplate_HasItsRealTemplateAsAFixture()
    {
        Assert.Equal(ChatTemplates.Names.Order(), ChatTemplateFixture.All.Select(f => f.Format).Order());
        Assert.All(ChatTemplates.Names, name => Assert.Equal(name, ChatTemplates.Get(name).Name));
        Assert.All(ChatTemplateFixture.All, f => Assert.False(string.IsNullOrWhiteSpace(f.Source)));
    }

    [Fact]
    public void Get_UnknownName_ListsTheBuiltInOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => ChatTemplates.Get("mistral"));

        Assert.Contains("'mistral'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'qwen2.5'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Llama32_WritesTodaysDateFromTheClockInUtc()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 23, 30, 0, TimeSpan.FromHours(-5)));
        IChatTemplate template = ChatTemplates.Get("llama3.2", clock);

        Assert.Contains("Today Date: 03 Dec 2026\n\n", template.Render([User("Hi")], addGenerationPrompt: true), StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromDays(40));
        Assert.Contains("Today Date: 12 Jan 2027\n\n", template.Render([User("Hi")], addGenerationPrompt: true), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Render_TextPartsArray_IsTheirTextJoinedByNewlines(string format)
    {
        IChatTemplate template = ChatTemplates.Get(format, new FakeTimeProvider(Now));
        var parts = new ChatMessage("user", [new ChatContentPart("text", "first part"), new ChatContentPart("text", "second part")]);

        Assert.Equal(template.Render([User("first part\nsecond part")], true), template.Render([parts], true));
    }

    [Theory]
    [InlineData("tool", "messages[1].role")]
    [InlineData("developer", "messages[1].role")]
    [InlineData("image_url", "messages[1].content[1].type")]
    [InlineData("input_audio", "messages[1].content[1].type")]
    public void Render_UnsupportedRoleOrContentPart_NamesTheField(string kind, string field)
    {
        ChatMessage bad = field.EndsWith(".role", StringComparison.Ordinal)
            ? ChatMessage.FromText(kind, "x")
            : new ChatMessage("user", [new ChatContentPart("text", "look:"), new ChatContentPart(kind, null)]);

        foreach (string format in ChatTemplates.Names)
        {
            var error = Assert.Throws<UnsupportedChatContentException>(() => ChatTemplates.Get(format).Render([User("Hi"), bad], true));
            Assert.Equal(field, error.Field);
            Assert.Contains(kind, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_NoMessages_IsRefused()
    {
        var error = Assert.Throws<UnsupportedChatContentException>(() => ChatTemplates.Get("qwen2.5").Render([], true));

        Assert.Equal("messages", error.Field);
    }

    private static ChatMessage System(string text) => ChatMessage.FromText("system", text);

    private static ChatMessage User(string text) => ChatMessage.FromText("user", text);

    private static ChatMessage Assistant(string text) => ChatMessage.FromText("assistant", text);

    private static string Escape(string text) => text.Replace("\n", "\\n", StringComparison.Ordinal);
}
