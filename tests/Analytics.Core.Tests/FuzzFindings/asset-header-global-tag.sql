/*!!D**!D*t_Wu,l*!D*]n
*/n
*/D**!D*t_Wu,li!D*‹lY ‹l ]