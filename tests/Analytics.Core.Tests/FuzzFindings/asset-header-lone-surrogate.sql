/*"uэээээ3ээээusrsЩhTиииДgn: YghT\uDaca\uEacathииииииo├: mиииииэАти╬ииииииииииДgn: YghT\uDacati└
*/