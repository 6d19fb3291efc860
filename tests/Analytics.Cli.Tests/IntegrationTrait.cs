// Every test here starts PostgreSQL, a web host, a browser or the whole app: `scripts/test --fast` leaves them out.
[assembly: Xunit.AssemblyTrait("Category", "Integration")]
